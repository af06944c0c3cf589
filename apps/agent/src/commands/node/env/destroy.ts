import { Args } from '@oclif/core';
import type { CommandResponse } from '@thresh/protocol';
import { NodeActionCommand } from '../../../lib/node-action-command';

export default class NodeEnvDestroy extends NodeActionCommand {
  static override summary = "Destroy an environment on a node, with its volumes";
  static override examples = ['<%= config.bin %> node env destroy build-7 web', '<%= config.bin %> node env destroy build-7 web --no-wait --json'];
  static override args = {
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
    environment: Args.string({ description: 'environment name', required: true }),
  };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(NodeEnvDestroy);
    const client = await this.client(flags.hub);
    const path = `/api/nodes/${encodeURIComponent(args.node)}/environments/${encodeURIComponent(args.environment)}`;
    const command = await client.request<CommandResponse>('DELETE', path);
    this.log(`Destroying ${args.environment} on ${command.nodeName} (command ${command.id})`);
    return this.follow(client, command, flags, (done) => `Environment ${args.environment} destroyed on ${done.nodeName}`);
  }
}
