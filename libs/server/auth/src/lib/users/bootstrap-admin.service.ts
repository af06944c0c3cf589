import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountRepository } from '../accounts/account.repository';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';

/** Creates the account and its first admin on the first start; later starts find them and do nothing. */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly accounts: AccountRepository,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const account = await this.accounts.ensure(this.options.account, this.options.account);
    if ((await this.users.countInAccount(account.id)) > 0) return;
    const password = this.options.adminPassword ?? randomBytes(15).toString('base64url');
    const created = await this.users.insertIfAbsent({
      accountId: account.id,
      username: this.options.adminUsername,
      passwordHash: await this.hasher.hash(password),
      role: 'admin',
    });
    if (!created) return;
    if (this.options.adminPassword) {
      this.logger.log(`Created admin "${this.options.adminUsername}" with the password from THRESH_ADMIN_PASSWORD`);
    } else {
      // Shown this once only: the hash is all that is kept.
      this.logger.warn(`Created admin "${this.options.adminUsername}" with generated password: ${password}`);
    }
  }
}
