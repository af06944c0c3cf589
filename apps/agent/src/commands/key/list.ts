import type { KeyResponse } from '@thresh/protocol';
import { HubCommand } from '../../lib/hub-command';

function state(key: KeyResponse, now = Date.now()): string {
  if (key.revokedAt) return Date.parse(key.revokedAt) > now ? `rotated (works until ${key.revokedAt})` : 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

export default class KeyList extends HubCommand {
  static override summary = 'List agent and mid-tier keys (never their secrets)';
  static override examples = ['<%= config.bin %> key list', '<%= config.bin %> key list --json'];

  async run(): Promise<KeyResponse[]> {
    const { flags } = await this.parse(KeyList);
    const keys = await (await this.client(flags.hub)).request<KeyResponse[]>('GET', '/api/keys');
    this.logTable(
      ['ID', 'NAME', 'TYPE', 'PREFIX', 'STATE', 'CREATED', 'LAST USED', 'EXPIRES'],
      keys.map((key) => [key.id, key.name, key.type, `${key.prefix}…`, state(key), key.createdAt, key.lastUsedAt ?? 'never', key.expiresAt ?? 'never']),
      'No keys yet. Create one with: thresh key create --type agent --name <name>',
    );
    return keys;
  }
}
