import { Args } from '@oclif/core';
import type { NodeResponse } from '@thresh/protocol';
import { formatAgo, labelled } from '../../lib/format';
import { NodeCommand } from '../../lib/node-command';
import { formatBytes, percent, usage } from '../../lib/node-format';

export default class NodeInfo extends NodeCommand {
  static override summary = 'Show one node: identity, platform, capacity, latest measurements';
  static override examples = ['<%= config.bin %> node info build-server-7', '<%= config.bin %> node info 3f1c --json'];
  static override args = { node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }) };

  async run(): Promise<NodeResponse> {
    const { args, flags } = await this.parse(NodeInfo);
    const node = await (await this.client(flags.hub)).request<NodeResponse>('GET', `/api/nodes/${encodeURIComponent(args.node)}`);
    this.log(
      labelled([
        ['Name', node.name],
        ['ID', node.id],
        ['Agent ID', node.agentId],
        ['Identity', node.identity === 'credential' ? 'node credential (only its machine can register as it)' : 'claimable: the next machine to register as it claims it'],
        ['Status', node.status],
        ['Last Seen', formatAgo(node.lastSeenAt)],
        ['Hostname', node.hostname],
        ['Platform', `${node.platform}/${node.arch}`],
        ['Agent Version', node.agentVersion],
        ['CPU', `${percent(node.cpuPercent)} of ${node.cpuCores} core(s)`],
        ['Memory', usage(node.memoryUsedBytes, node.memoryTotalBytes)],
        ['Disk', usage(node.diskUsedBytes, node.diskTotalBytes)],
        ['Containers', node.containersRunning === null ? '-' : String(node.containersRunning)],
        ['Environments', node.environments.length ? node.environments.map((env) => `${env.name} (${env.status})`).join(', ') : 'none'],
        ['Registered', node.registeredAt],
        ['Capacity', `${node.cpuCores} cores, ${formatBytes(node.memoryTotalBytes)} memory, ${formatBytes(node.diskTotalBytes)} disk`],
      ]),
    );
    return node;
  }
}
