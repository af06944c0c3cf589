import { clearCredentials, readCredentials } from '../../lib/credentials-store';
import { HubClient } from '../../lib/hub-client';
import { HubCommand } from '../../lib/hub-command';

export default class AuthLogout extends HubCommand {
  static override summary = 'Revoke the stored token at the hub and forget it';
  static override examples = ['<%= config.bin %> auth logout'];

  async run(): Promise<{ loggedOut: boolean }> {
    await this.parse(AuthLogout);
    const stored = readCredentials();
    if (!stored) {
      this.log('Not logged in.');
      return { loggedOut: false };
    }
    try {
      await new HubClient(stored.hub, stored.token, stored.ca).request('POST', '/api/auth/logout', {});
    } catch (error) {
      // The token is forgotten locally even when the hub cannot be told.
      this.warn(`The hub did not revoke the token: ${(error as Error).message}`);
    }
    clearCredentials();
    this.log(`Logged out of ${stored.hub}.`);
    return { loggedOut: true };
  }
}
