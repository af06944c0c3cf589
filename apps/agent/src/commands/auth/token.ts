import { resolveCredentials } from '../../lib/credentials-store';
import { HubCommand } from '../../lib/hub-command';

export default class AuthToken extends HubCommand {
  static override summary = 'Print the user token (THRESH_TOKEN if set, else the stored one); exit 1 when there is none';
  static override examples = ['curl -H "Authorization: Bearer $(<%= config.bin %> auth token)" https://hub.example.com:7200/api/nodes'];

  async run(): Promise<{ token: string }> {
    await this.parse(AuthToken);
    const { token } = resolveCredentials();
    if (!token) this.error('Not logged in: run "thresh auth login --hub <url>"', { exit: 1 });
    this.log(token);
    return { token };
  }
}
