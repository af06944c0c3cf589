import { Injectable } from '@nestjs/common';
import type { UserRole } from '@thresh/protocol';
import { PasswordHasher } from '../users/password-hasher';
import { UserRepository } from '../users/user.repository';
import { AccountRepository } from './account.repository';

/** Accounts, and the first admin an account starts with. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** The account's id; null when no account has that slug. */
  async idOf(slug: string): Promise<string | null> {
    return (await this.accounts.findBySlug(slug))?.id ?? null;
  }

  /** Every account's slug by its id. */
  async slugs(): Promise<Map<string, string>> {
    return new Map((await this.accounts.list()).map((account) => [account.id, account.slug]));
  }

  /**
   * Creates the account when it is missing and, when it has no user yet, its first admin (safe when several hub
   * replicas boot at once); true when that admin was created now.
   */
  async ensureWithAdmin(slug: string, admin: { username: string; password: string; role?: UserRole }): Promise<boolean> {
    const account = await this.accounts.ensure(slug, slug);
    if ((await this.users.countInAccount(account.id)) > 0) return false;
    return this.users.insertIfAbsent({
      accountId: account.id,
      username: admin.username,
      passwordHash: await this.hasher.hash(admin.password),
      role: admin.role ?? 'admin',
    });
  }
}
