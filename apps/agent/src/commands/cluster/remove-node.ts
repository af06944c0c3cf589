import { Args } from '@oclif/core';
import { clusterPath } from '../../lib/cluster-format';
import { HubCommand } from '../../lib/hub-command';

export default class ClusterRemoveNode extends HubCommand {
  static override summary = 'Take a node out of a cluster; the node itself stays registered';
  static override description =
    'The node is given by its name, its id, or a unique prefix of its id. Needs the operator or admin role. ' +
    'Exit code 4 when the cluster or the node does not exist, or the node is not in the cluster.';
  static override examples = [
    { description: 'Remove a node by name', command: '<%= config.bin %> cluster remove-node edge-eu web-1' },
    { description: 'Remove a node by id', command: '<%= config.bin %> cluster remove-node edge-eu 3f1c9a4e-0b7d-4c55-9a51-0e2f4d6c8b11' },
  ];
  static override args = {
    cluster: Args.string({ description: 'cluster name', required: true }),
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
  };

  async run(): Promise<{ cluster: string; node: string; removed: true }> {
    const { args, flags } = await this.parse(ClusterRemoveNode);
    await (await this.client(flags.hub)).request<void>('DELETE', clusterPath(args.cluster, args.node));
    this.log(`Removed ${args.node} from cluster ${args.cluster}.`);
    return { cluster: args.cluster, node: args.node, removed: true };
  }
}
