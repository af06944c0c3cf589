import { Args } from '@oclif/core';
import type { CreatedKeyResponse } from '@thresh/protocol';
import { labelled } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';

export default class KeyRotate extends HubCommand {
  static override summary = 'Replace a key: the new one works at once, the old one for 24 more hours';
  static override examples = ['<%= config.bin %> key rotate 3f1c… --json'];
  static override args = { id: Args.string({ description: 'key ID (from thresh key list)', required: true }) };

  async run(): Promise<CreatedKeyResponse> {
    const { args, flags } = await this.parse(KeyRotate);
    const key = await (await this.client(flags.hub)).request<CreatedKeyResponse>('POST', `/api/keys/${encodeURIComponent(args.id)}/rotate`);
    this.log(labelled([['New key', key.key], ['ID', key.id], ['Name', key.name]]));
    this.log('\nStore the new key now: it is not shown again. The old key stops working in 24 hours.');
    return key;
  }
}
