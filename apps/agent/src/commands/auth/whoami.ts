import type { UserResponse } from '@thresh/protocol';
import { labelled } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';

export default class AuthWhoami extends HubCommand {
  static override summary = 'Show who the token belongs to, as the hub sees it';
  static override examples = ['<%= config.bin %> auth whoami', '<%= config.bin %> auth whoami --json'];

  async run(): Promise<UserResponse & { hub: string }> {
    const { flags } = await this.parse(AuthWhoami);
    const client = await this.client(flags.hub);
    const me = await client.request<UserResponse>('GET', '/api/auth/me');
    this.log(labelled([['User', me.username], ['Role', me.role], ['Account', me.account], ['Hub', client.baseUrl]]));
    return { ...me, hub: client.baseUrl };
  }
}
