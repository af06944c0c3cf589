import { Flags } from '@oclif/core';
import type { CreatedKeyResponse } from '@thresh/protocol';
import { labelled } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';

export default class KeyCreate extends HubCommand {
  static override summary = 'Create an agent key (thresh_live_) or a mid-tier key (thresh_mid_); it is shown once';
  static override examples = [
    '<%= config.bin %> key create --type agent --name build-server-7',
    'KEY=$(<%= config.bin %> key create --type agent --name ci-runner --json | jq -r .key)',
  ];
  static override flags = {
    type: Flags.string({ description: 'agent or midtier', options: ['agent', 'midtier'], required: true }),
    name: Flags.string({ description: 'what the key is for', required: true }),
    'expires-at': Flags.string({ description: 'ISO 8601 time after which the key stops working' }),
  };

  async run(): Promise<CreatedKeyResponse> {
    const { flags } = await this.parse(KeyCreate);
    const client = await this.client(flags.hub);
    const key = await client.request<CreatedKeyResponse>('POST', '/api/keys', {
      type: flags.type,
      name: flags.name,
      ...(flags['expires-at'] ? { expiresAt: flags['expires-at'] } : {}),
    });
    this.log(labelled([['Key', key.key], ['ID', key.id], ['Type', key.type], ['Name', key.name], ['Expires', key.expiresAt ?? 'never']]));
    this.log('\nStore the key now: it is not shown again.');
    if (key.type === 'agent') this.log(`On the node: thresh agent config set api-key ${key.key}`);
    else this.log(`On the midtier: MIDTIER_KEY=${key.key}`);
    return key;
  }
}
