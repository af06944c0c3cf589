import { Flags } from '@oclif/core';
import type { NodeListResponse, NodeResponse } from '@thresh/protocol';
import { formatAgo } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';
import { percent, usage } from '../../lib/node-format';

const PAGE = 1000;

export default class NodeList extends HubCommand {
  static override summary = 'List nodes with their status and latest measurements';
  static override examples = ['<%= config.bin %> node list', '<%= config.bin %> node list --status offline --cluster edge', '<%= config.bin %> node list --sort cpu --desc', '<%= config.bin %> node list --json | jq ".nodes[].name"'];
  static override flags = {
    status: Flags.string({ description: 'only nodes with this status', options: ['online', 'offline'] }),
    name: Flags.string({ description: 'only nodes whose name contains this' }),
    cluster: Flags.string({ description: 'only nodes in this cluster' }),
    sort: Flags.string({ description: 'order by', options: ['name', 'status', 'lastSeen', 'cpu', 'memory', 'disk'], default: 'name' }),
    desc: Flags.boolean({ description: 'largest (or latest) first' }),
  };

  async run(): Promise<{ nodes: NodeResponse[]; total: number; online: number; offline: number }> {
    const { flags } = await this.parse(NodeList);
    const client = await this.client(flags.hub);
    const nodes: NodeResponse[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset), sort: flags.sort, order: flags.desc ? 'desc' : 'asc' });
      if (flags.status) query.set('status', flags.status);
      if (flags.name) query.set('name', flags.name);
      if (flags.cluster) query.set('cluster', flags.cluster);
      const page = await client.request<NodeListResponse>('GET', `/api/nodes?${query}`);
      nodes.push(...page.items);
      if (nodes.length >= page.total || page.items.length === 0) break;
    }
    const online = nodes.filter((node) => node.status === 'online').length;
    const now = Date.now();
    this.logTable(
      ['NAME', 'PLATFORM', 'STATUS', 'CPU', 'MEMORY', 'DISK', 'CONTAINERS', 'ENVS', 'VERSION', 'LAST SEEN'],
      nodes.map((node) => [
        node.name,
        `${node.platform}/${node.arch}`,
        node.status,
        percent(node.cpuPercent),
        usage(node.memoryUsedBytes, node.memoryTotalBytes),
        usage(node.diskUsedBytes, node.diskTotalBytes),
        node.containersRunning === null ? '-' : String(node.containersRunning),
        String(node.environments.length),
        node.agentVersion,
        formatAgo(node.lastSeenAt, now).replace(/ \(.*\)$/, ''),
      ]),
      'No nodes yet. On a machine to manage: thresh agent config set midtier-url …, thresh agent config set api-key …, thresh agent start',
    );
    if (nodes.length > 0) this.log(`\n${nodes.length} node(s): ${online} online, ${nodes.length - online} offline`);
    return { nodes, total: nodes.length, online, offline: nodes.length - online };
  }
}
