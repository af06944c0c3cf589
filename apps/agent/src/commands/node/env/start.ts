import { Args } from '@oclif/core';
import type { CommandResponse, EnvironmentInfo } from '@thresh/protocol';
import { environmentSummary } from '../../../lib/environment-format';
import { NodeActionCommand } from '../../../lib/node-action-command';

export default class NodeEnvStart extends NodeActionCommand {
  static override summary = "Start a stopped environment's command on a node";
  static override examples = ['<%= config.bin %> node env start build-7 web', '<%= config.bin %> node env start build-7 web --no-wait --json'];
  static override args = {
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
    environment: Args.string({ description: 'environment name', required: true }),
  };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(NodeEnvStart);
    const client = await this.client(flags.hub);
    const path = `/api/nodes/${encodeURIComponent(args.node)}/environments/${encodeURIComponent(args.environment)}/start`;
    const command = await client.request<CommandResponse>('POST', path);
    this.log(`Starting ${args.environment} on ${command.nodeName} (command ${command.id})`);
    return this.follow(client, command, flags, (done) => `Environment ${environmentSummary((done.result as { environment: EnvironmentInfo }).environment)}`);
  }
}
