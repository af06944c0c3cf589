import { Inject, Injectable } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { LoginRequest, LoginResponse, UserResponse } from '@thresh/protocol';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { CredentialsService } from '../credentials/credentials.service';
import { AuthUser } from '../guards/auth-user';
import { PasswordHasher } from '../users/password-hasher';
import { UserEntity } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';

// Compared against when the username is unknown, so timing does not reveal which usernames exist.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function mapUser(user: UserEntity, account: string): UserResponse {
  return { id: user.id, username: user.username, role: user.role, account };
}

@Injectable()
export class LoginService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly credentials: CredentialsService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async login(request: LoginRequest): Promise<LoginResponse> {
    const user = await this.users.findByUsername(request.username);
    const valid = await this.hasher.verify(request.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid || !user.account) throw new AppException('unauthorized', 'Invalid username or password');
    if (user.disabledAt) throw new AppException('unauthorized', 'This user is disabled');
    const expiresAt = new Date(Date.now() + this.options.tokenTtlSeconds * 1000);
    const { plaintext } = await this.credentials.issue({
      kind: 'user',
      accountId: user.accountId,
      account: user.account.slug,
      name: `login ${user.username}`,
      userId: user.id,
      expiresAt,
    });
    return { token: plaintext, expiresAt: expiresAt.toISOString(), user: mapUser(user, user.account.slug) };
  }

  async logout(user: AuthUser): Promise<void> {
    await this.credentials.revoke({ id: user.tokenId, accountId: user.accountId });
  }

  me(user: AuthUser): UserResponse {
    return { id: user.userId, username: user.username, role: user.role, account: user.account };
  }
}
