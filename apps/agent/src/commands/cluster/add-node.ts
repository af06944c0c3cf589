import { Args } from '@oclif/core';
import type { ClusterDetailResponse } from '@thresh/protocol';
import { clusterPath, memberSummary } from '../../lib/cluster-format';
import { HubCommand } from '../../lib/hub-command';

/** The added node's name, for a node given by id or id prefix (as given when that is not clear). */
function addedName(cluster: ClusterDetailResponse, given: string): string {
  const byName = cluster.nodes.find((node) => node.name === given);
  if (byName) return byName.name;
  const byId = cluster.nodes.filter((node) => node.id.startsWith(given.toLowerCase()));
  return byId.length === 1 ? byId[0].name : given;
}

export default class ClusterAddNode extends HubCommand {
  static override summary = 'Put a node in a cluster';
  static override description =
    'The node is given by its name, its id, or a unique prefix of its id (see thresh node list). A node can be in several ' +
    'clusters. Needs the operator or admin role. Exit codes: 4 when the cluster or the node does not exist, 2 when the node ' +
    'is already in the cluster or the id prefix matches several nodes.';
  static override examples = [
    { description: 'Add a node by name', command: '<%= config.bin %> cluster add-node edge-eu web-1' },
    { description: 'Add a node by the start of its id', command: '<%= config.bin %> cluster add-node edge-eu 3f1c9a' },
    {
      description: 'Add every online node whose name starts with "web-"',
      command: '<%= config.bin %> node list --status online --name web- --json | jq -r ".nodes[].name" | xargs -n1 <%= config.bin %> cluster add-node edge-eu',
    },
  ];
  static override args = {
    cluster: Args.string({ description: 'cluster name', required: true }),
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
  };

  async run(): Promise<ClusterDetailResponse> {
    const { args, flags } = await this.parse(ClusterAddNode);
    const cluster = await (await this.client(flags.hub)).request<ClusterDetailResponse>('POST', `${clusterPath(args.cluster)}/nodes`, { node: args.node });
    this.log(`Added ${addedName(cluster, args.node)} to cluster ${cluster.name}; it has ${memberSummary(cluster)}.`);
    return cluster;
  }
}
