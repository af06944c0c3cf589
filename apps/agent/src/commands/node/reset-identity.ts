import { Args } from '@oclif/core';
import type { NodeResponse } from '@thresh/protocol';
import { NodeCommand } from '../../lib/node-command';

export default class NodeResetIdentity extends NodeCommand {
  static override summary = "Forget a node's credential, so a reinstalled machine can register as that node again";
  static override description =
    'At its first registration each node is issued a node credential, which its agent keeps (0600) in THRESH_HOME and ' +
    'presents from then on: a machine without it cannot register as the node, whatever agent key it holds. When the ' +
    'machine was reinstalled (or THRESH_HOME lost), reset its identity: the next machine to register as the node (with ' +
    'its old agent id, or a new one asking for the node\'s name: thresh agent config set node-name <node>) claims it and ' +
    'is issued a new credential, keeping the node\'s name, history and stacks. If the old machine may be ' +
    'compromised, revoke the agent key it held first (thresh key list). Needs the operator or admin role; audited.';
  static override examples = [
    { description: 'Let the reinstalled web-3 register again', command: '<%= config.bin %> node reset-identity web-3' },
  ];
  static override args = { node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }) };

  async run(): Promise<NodeResponse> {
    const { args, flags } = await this.parse(NodeResetIdentity);
    const node = await (await this.client(flags.hub)).request<NodeResponse>('POST', `/api/nodes/${encodeURIComponent(args.node)}/reset-identity`);
    this.log(`Node ${node.name} no longer holds a credential: the next machine to register as it (agent id ${node.agentId}, or any agent with node-name ${node.name}) claims it.`);
    return node;
  }
}
