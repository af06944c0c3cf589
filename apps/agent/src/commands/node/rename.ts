import { Args } from '@oclif/core';
import type { NodeResponse } from '@thresh/protocol';
import { HubCommand } from '../../lib/hub-command';

export default class NodeRename extends HubCommand {
  static override summary = 'Give a node another name';
  static override description =
    'Names are unique in an account, and only this command moves one: an agent that registers with a name already taken ' +
    'is given the next free one (web-2), and a registration never renames its node. Commands and stack deploys address ' +
    'the node by its new name at once. Needs the operator or admin role. Exit codes: 4 when the node does not exist, 6 ' +
    'when the new name is taken (or an id prefix matches several nodes), 2 when the name is not valid.';
  static override examples = [
    { description: 'Rename a node', command: '<%= config.bin %> node rename web-2 web-eu-7' },
    { description: 'Rename by id prefix, and read the result as JSON', command: '<%= config.bin %> node rename 3f1c9a db-primary --json' },
  ];
  static override args = {
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
    name: Args.string({ description: 'the new name: letters, digits, ".", "_" and "-", starting with a letter or digit', required: true }),
  };

  async run(): Promise<NodeResponse> {
    const { args, flags } = await this.parse(NodeRename);
    const node = await (await this.client(flags.hub)).request<NodeResponse>('PATCH', `/api/nodes/${encodeURIComponent(args.node)}`, { name: args.name });
    this.log(`Renamed ${args.node} to ${node.name}.`);
    return node;
  }
}
