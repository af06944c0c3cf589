import { Args, Flags } from '@oclif/core';
import type { NodeMetricsResponse, NodeResponse } from '@thresh/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatAgo, labelled } from '../../lib/format';
import { HubClient } from '../../lib/hub-client';
import { NodeCommand } from '../../lib/node-command';
import { bar, formatBytes, usage } from '../../lib/node-format';

export default class NodeMetrics extends NodeCommand {
  static override summary = "Show a node's current CPU, memory, disk and containers, or their history";
  static override examples = [
    '<%= config.bin %> node metrics build-server-7',
    '<%= config.bin %> node metrics build-server-7 --watch',
    '<%= config.bin %> node metrics build-server-7 --since 24h',
  ];
  static override args = { node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }) };
  static override flags = {
    watch: Flags.boolean({ char: 'w', description: 'refresh until Ctrl-C', exclusive: ['since'] }),
    interval: Flags.integer({ description: 'seconds between refreshes with --watch', default: 2, min: 1 }),
    since: Flags.string({ description: 'print the history of this long: 30m, 6h, 7d' }),
  };

  async run(): Promise<NodeResponse | NodeMetricsResponse> {
    const { args, flags } = await this.parse(NodeMetrics);
    const client = await this.client(flags.hub);
    const path = `/api/nodes/${encodeURIComponent(args.node)}`;
    if (flags.since) {
      const sinceMs = this.durationFlag('since', flags.since, '30m, 6h or 7d');
      const from = new Date(Date.now() - sinceMs).toISOString();
      const history = await client.request<NodeMetricsResponse>('GET', `${path}/metrics?from=${encodeURIComponent(from)}`);
      this.log(`${history.node}: ${history.points.length} point(s) at ${history.resolution} resolution since ${history.from}`);
      this.logTable(
        ['TIME', 'CPU', 'MEMORY', 'DISK', 'CONTAINERS'],
        history.points.map((point) => [point.at, `${point.cpuPercent.toFixed(1)}%`, formatBytes(point.memoryUsedBytes), formatBytes(point.diskUsedBytes), String(point.containersRunning)]),
      );
      if (history.truncated) this.log(`(only the oldest ${history.points.length} points fit; use a shorter --since for the rest)`);
      return history;
    }
    let node = await this.show(client, path);
    while (flags.watch) {
      await sleep(flags.interval * 1000);
      process.stdout.write('\x1b[2J\x1b[H');
      node = await this.show(client, path);
    }
    return node;
  }

  private async show(client: HubClient, path: string): Promise<NodeResponse> {
    const node = await client.request<NodeResponse>('GET', path);
    const fraction = (used: number | null, total: number) => (used === null || total <= 0 ? null : used / total);
    this.log(
      labelled([
        ['Node', `${node.name} (${node.status}, sampled ${formatAgo(node.lastSampleAt)})`],
        ['CPU', bar(node.cpuPercent === null ? null : node.cpuPercent / 100)],
        ['Memory', `${bar(fraction(node.memoryUsedBytes, node.memoryTotalBytes))}  ${usage(node.memoryUsedBytes, node.memoryTotalBytes)}`],
        ['Disk', `${bar(fraction(node.diskUsedBytes, node.diskTotalBytes))}  ${usage(node.diskUsedBytes, node.diskTotalBytes)}`],
        ['Containers', node.containersRunning === null ? '-' : String(node.containersRunning)],
      ]),
    );
    return node;
  }
}
