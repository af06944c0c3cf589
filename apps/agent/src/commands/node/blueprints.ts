import { Args } from '@oclif/core';
import type { NodeBlueprintsResponse } from '@thresh/protocol';
import { blueprintsTable } from '../../lib/environment-format';
import { NodeCommand } from '../../lib/node-command';

export default class NodeBlueprints extends NodeCommand {
  static override summary = 'List the blueprints a node can deploy (asked of its agent)';
  static override description = 'Built-in blueprints, and the custom ones in the node\'s $THRESH_HOME/blueprints folder. The node must be online.';
  static override examples = ['<%= config.bin %> node blueprints build-7', '<%= config.bin %> node blueprints build-7 --json'];
  static override args = { node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }) };

  async run(): Promise<NodeBlueprintsResponse> {
    const { args, flags } = await this.parse(NodeBlueprints);
    const answer = await (await this.client(flags.hub)).request<NodeBlueprintsResponse>('GET', `/api/nodes/${encodeURIComponent(args.node)}/blueprints`);
    this.log(blueprintsTable(answer.blueprints));
    return answer;
  }
}
