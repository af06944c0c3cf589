import type { ClusterResponse } from '@thresh/protocol';
import { truncate } from '../../lib/cluster-format';
import { HubCommand } from '../../lib/hub-command';

export default class ClusterList extends HubCommand {
  static override summary = 'List the clusters of your account with how many nodes each has';
  static override description = 'Shows every cluster by name. For the nodes of one cluster and their status: thresh cluster info <name>.';
  static override examples = [
    { description: 'All clusters as a table', command: '<%= config.bin %> cluster list' },
    { description: 'The names only, for a script', command: '<%= config.bin %> cluster list --json | jq -r ".[].name"' },
  ];

  async run(): Promise<ClusterResponse[]> {
    const { flags } = await this.parse(ClusterList);
    const clusters = await (await this.client(flags.hub)).request<ClusterResponse[]>('GET', '/api/clusters');
    this.logTable(
      ['NAME', 'NODES', 'DESCRIPTION', 'CREATED'],
      clusters.map((cluster) => [cluster.name, String(cluster.nodeCount), truncate(cluster.description) || '-', cluster.createdAt.replace(/\.\d+Z$/, 'Z')]),
      'No clusters yet. Create one with: thresh cluster create <name> --description <text>',
    );
    return clusters;
  }
}
