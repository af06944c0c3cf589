import { Args } from '@oclif/core';
import type { CommandResponse, EnvironmentInfo } from '@thresh/protocol';
import { environmentSummary } from '../../../lib/environment-format';
import { NodeActionCommand } from '../../../lib/node-action-command';

export default class NodeEnvStop extends NodeActionCommand {
  static override summary = "Stop an environment's command on a node (the environment stays)";
  static override examples = ['<%= config.bin %> node env stop build-7 web', '<%= config.bin %> node env stop build-7 web --no-wait --json'];
  static override args = {
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
    environment: Args.string({ description: 'environment name', required: true }),
  };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(NodeEnvStop);
    const client = await this.client(flags.hub);
    const path = `/api/nodes/${encodeURIComponent(args.node)}/environments/${encodeURIComponent(args.environment)}/stop`;
    const command = await client.request<CommandResponse>('POST', path);
    this.log(`Stopping ${args.environment} on ${command.nodeName} (command ${command.id})`);
    return this.follow(client, command, flags, (done) => `Environment ${environmentSummary((done.result as { environment: EnvironmentInfo }).environment)}`);
  }
}
