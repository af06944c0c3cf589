import { Args } from '@oclif/core';
import type { NodeEnvironmentsResponse } from '@thresh/protocol';
import { environmentsTable } from '../../lib/environment-format';
import { NodeCommand } from '../../lib/node-command';

export default class NodeEnvironments extends NodeCommand {
  static override summary = "List a node's environments";
  static override description = 'Asked of the node when it is online; for an offline node, names and statuses as it last reported them.';
  static override examples = ['<%= config.bin %> node environments build-7', '<%= config.bin %> node environments build-7 --json'];
  static override args = { node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }) };

  async run(): Promise<NodeEnvironmentsResponse> {
    const { args, flags } = await this.parse(NodeEnvironments);
    const answer = await (await this.client(flags.hub)).request<NodeEnvironmentsResponse>('GET', `/api/nodes/${encodeURIComponent(args.node)}/environments`);
    if (answer.source === 'last-report') this.log(`${answer.node} is offline; as it last reported:`);
    this.log(answer.environments.length ? environmentsTable(answer.environments) : `No environments on ${answer.node} (deploy one: thresh node up ${answer.node} <blueprint> --name <env>)`);
    return answer;
  }
}
