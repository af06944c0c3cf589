import { AccountsService, CredentialsService } from '@thresh/server-auth';
import { HubApi } from '@thresh/testing';
import type { UserRole } from '@thresh/protocol';
import { TestHub } from './test-hub';

export const USER_PASSWORD = 'matrix-user-password';

/** Seeds what the REST API does not offer: a second account with its own admin, and credentials in odd states. */
export class HubFixtures {
  constructor(private readonly hub: TestHub) {}

  private get<T>(type: new (...args: never[]) => T): T {
    return this.hub.app.get(type, { strict: false });
  }

  async createAccountWithAdmin(slug: string, username: string): Promise<HubApi> {
    await this.get(AccountsService).ensureWithAdmin(slug, { username, password: USER_PASSWORD });
    const api = new HubApi(this.hub.url);
    await api.login(username, USER_PASSWORD);
    return api;
  }

  /** A user of the admin's account with the given role, logged in. */
  async userWithRole(admin: HubApi, role: UserRole, username = `${role}-${Math.random().toString(36).slice(2, 8)}`): Promise<HubApi> {
    const created = await admin.request('POST', '/api/users', { username, password: USER_PASSWORD, role });
    if (created.status !== 201) throw new Error(`could not create ${role}: ${JSON.stringify(created.body)}`);
    const api = new HubApi(this.hub.url);
    await api.login(username, USER_PASSWORD);
    return api;
  }

  /** A well-formed credential of the admin's account that expired a minute ago. */
  async expiredCredential(kind: 'user' | 'agent' | 'midtier', userId: string | null = null): Promise<string> {
    const accountId = await this.get(AccountsService).idOf('default');
    if (!accountId) throw new Error('no default account');
    const { plaintext } = await this.get(CredentialsService).issue({
      kind,
      accountId,
      account: 'default',
      name: `expired ${kind}`,
      userId,
      expiresAt: new Date(Date.now() - 60_000),
    });
    return plaintext;
  }
}

/** The same key with one character of its secret changed, so only the checksum gives it away. */
export function breakChecksum(key: string): string {
  const index = key.length - 10;
  return key.slice(0, index) + (key[index] === 'A' ? 'B' : 'A') + key.slice(index + 1);
}
