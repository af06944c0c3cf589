import { Args } from '@oclif/core';
import type { KeyResponse } from '@thresh/protocol';
import { HubCommand } from '../../lib/hub-command';

export default class KeyRevoke extends HubCommand {
  static override summary = 'Revoke a key at once; agents using it are disconnected within seconds';
  static override examples = ['<%= config.bin %> key revoke 3f1c…'];
  static override args = { id: Args.string({ description: 'key ID (from thresh key list)', required: true }) };

  async run(): Promise<KeyResponse> {
    const { args, flags } = await this.parse(KeyRevoke);
    const key = await (await this.client(flags.hub)).request<KeyResponse>('DELETE', `/api/keys/${encodeURIComponent(args.id)}`);
    this.log(`Revoked ${key.prefix}… (${key.name}).`);
    return key;
  }
}
