import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AppException, FailureLimiter } from '@thresh/server-core';
import { LoginRequest, LoginResponse, UserResponse } from '@thresh/protocol';
import { AccountRepository } from '../accounts/account.repository';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { UsernameSlowdown } from './username-slowdown';
import { CredentialsService } from '../credentials/credentials.service';
import { AuthUser } from '../guards/auth-user';
import { PasswordHasher } from '../users/password-hasher';
import { UserRepository } from '../users/user.repository';

// Compared against when the username is unknown, so timing does not reveal which usernames exist.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

@Injectable()
export class LoginService {
  private readonly failedLogins: FailureLimiter;
  private readonly guessedUsernames = new UsernameSlowdown({ freeFailures: 5, windowMs: 15 * 60_000, maxDelayMs: 4000, maxWaitMs: 10_000, maxUsernames: 10_000 });

  constructor(
    private readonly users: UserRepository,
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {
    this.failedLogins = new FailureLimiter('logins', { failures: options.loginFailuresPer5Minutes, windowSeconds: 300, blockSeconds: 300 });
  }

  /**
   * Failures are counted per address (one that fails too often is refused for a while, which locks out no one
   * elsewhere) and per username (one guessed from many addresses is slowed, not locked: see UsernameSlowdown).
   */
  async login(request: LoginRequest, source: string): Promise<LoginResponse> {
    return this.failedLogins.attempt(
      source,
      async () => {
        await this.guessedUsernames.turn(request.username, source);
        try {
          const login = await this.checkAndIssue(request, source);
          this.guessedUsernames.succeeded(request.username, source);
          return login;
        } catch (error) {
          if (error instanceof AppException && error.code === 'unauthorized') this.guessedUsernames.failed(request.username);
          throw error;
        }
      },
      (error) => error instanceof AppException && error.code === 'unauthorized',
      { reserve: true },
    );
  }

  private async checkAndIssue(request: LoginRequest, source: string): Promise<LoginResponse> {
    const user = await this.users.findByUsername(request.username);
    const valid = await this.hasher.verify(request.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid || !user.account || user.disabledAt) {
      const reason = !user ? 'unknown user' : !valid ? 'wrong password' : 'user disabled';
      // Attempts on unknown usernames go to the default account, so its admins see password spraying.
      const accountId = user?.accountId ?? (await this.accounts.findBySlug(this.options.account))?.id ?? null;
      await this.audit.record({ accountId, actor: request.username, action: 'auth.login_failed', sourceAddress: source, details: { reason } });
      throw new AppException('unauthorized', 'Invalid username or password');
    }
    const expiresAt = new Date(Date.now() + this.options.tokenTtlSeconds * 1000);
    const { record, plaintext } = await this.credentials.issue({
      kind: 'user',
      accountId: user.accountId,
      account: user.account.slug,
      name: `login ${user.username}`,
      userId: user.id,
      expiresAt,
    });
    await this.audit.record({ accountId: user.accountId, actor: user.username, action: 'auth.login', target: record.id, sourceAddress: source });
    return {
      token: plaintext,
      expiresAt: expiresAt.toISOString(),
      user: { id: user.id, username: user.username, role: user.role, account: user.account.slug },
    };
  }

  async logout(user: AuthUser): Promise<void> {
    await this.credentials.revoke({ id: user.tokenId, accountId: user.accountId });
    await this.audit.recordBy(user, 'auth.logout', user.tokenId);
  }

  me(user: AuthUser): UserResponse {
    return { id: user.userId, username: user.username, role: user.role, account: user.account };
  }
}
