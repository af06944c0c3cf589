import { Args } from '@oclif/core';
import type { ClusterDetailResponse } from '@thresh/protocol';
import { clusterPath, memberSummary } from '../../lib/cluster-format';
import { formatAgo, labelled } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';

export default class ClusterInfo extends HubCommand {
  static override summary = 'Show one cluster: its description and its nodes with their status';
  static override description = 'Exit code 4 when your account has no cluster of that name.';
  static override examples = [
    { description: 'The nodes of a cluster and when each was last heard from', command: '<%= config.bin %> cluster info edge-eu' },
    { description: 'The offline nodes of a cluster, for a script', command: '<%= config.bin %> cluster info edge-eu --json | jq -r \'.nodes[] | select(.status == "offline") | .name\'' },
  ];
  static override args = { name: Args.string({ description: 'cluster name', required: true }) };

  async run(): Promise<ClusterDetailResponse> {
    const { args, flags } = await this.parse(ClusterInfo);
    const cluster = await (await this.client(flags.hub)).request<ClusterDetailResponse>('GET', clusterPath(args.name));
    this.log(
      labelled([
        ['Name', cluster.name],
        ['Description', cluster.description || '-'],
        ['Nodes', memberSummary(cluster)],
        ['Created', cluster.createdAt],
      ]),
    );
    this.log('');
    const now = Date.now();
    this.logTable(
      ['NAME', 'STATUS', 'LAST SEEN'],
      cluster.nodes.map((node) => [node.name, node.status, formatAgo(node.lastSeenAt, now).replace(/ \(.*\)$/, '')]),
      `No nodes in this cluster yet. Add one with: thresh cluster add-node ${cluster.name} <node>`,
    );
    return cluster;
  }
}
