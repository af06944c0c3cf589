import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AccountsService } from '../accounts/accounts.service';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';

/** Creates the account and its first admin on the first start; later starts find them and do nothing. */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly accounts: AccountsService,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const password = this.options.adminPassword ?? randomBytes(15).toString('base64url');
    if (!(await this.accounts.ensureWithAdmin(this.options.account, { username: this.options.adminUsername, password }))) return;
    if (this.options.adminPassword) {
      this.logger.log(`Created admin "${this.options.adminUsername}" with the password from THRESH_ADMIN_PASSWORD`);
    } else {
      // Shown this once only: the hash is all that is kept.
      this.logger.warn(`Created admin "${this.options.adminUsername}" with generated password: ${password}`);
    }
  }
}
