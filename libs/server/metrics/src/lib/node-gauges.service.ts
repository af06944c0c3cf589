import { Injectable, OnModuleInit } from '@nestjs/common';
import { AccountsService } from '@thresh/server-auth';
import { NodeGauge, NodesService } from '@thresh/server-nodes';
import { Gauge } from 'prom-client';
import { MetricsService } from './metrics.service';

type NodeRow = NodeGauge & { account: string };

// One query serves every gauge of a scrape.
const CACHE_MS = 1000;

/** Per-node gauges for Prometheus, read from the latest values on the node rows at scrape time. */
@Injectable()
export class NodeGaugesService implements OnModuleInit {
  private cached?: { at: number; rows: Promise<NodeRow[]> };

  constructor(
    private readonly metrics: MetricsService,
    private readonly nodes: NodesService,
    private readonly accounts: AccountsService,
  ) {}

  onModuleInit(): void {
    // Names need not be unique; the id keeps two nodes of one name apart.
    const labels = ['account', 'node', 'node_id'];
    const perNode = (name: string, help: string, value: (row: NodeRow) => number | null) => {
      const rows = () => this.rows();
      this.metrics.registry.registerMetric(
        new Gauge({
          name,
          help,
          labelNames: labels,
          registers: [],
          async collect(this: Gauge<string>) {
            this.reset();
            for (const row of await rows()) {
              const current = value(row);
              if (current !== null) this.set({ account: row.account, node: row.node, node_id: row.nodeId }, current);
            }
          },
        }),
      );
    };
    perNode('thresh_node_up', '1 while the node reports, 0 when offline', (row) => Number(row.up));
    perNode('thresh_node_cpu_percent', 'CPU utilisation of the latest sample', (row) => row.cpuPercent);
    perNode('thresh_node_memory_used_bytes', 'Memory in use at the latest sample', (row) => row.memoryUsedBytes);
    perNode('thresh_node_disk_used_bytes', 'Root file system in use at the latest sample', (row) => row.diskUsedBytes);
    perNode('thresh_node_containers_running', 'Containers running at the latest sample', (row) => row.containersRunning);
    const rows = () => this.rows();
    this.metrics.registry.registerMetric(
      new Gauge({
        name: 'thresh_hub_agents_connected',
        help: 'Agents connected through a midtier now',
        registers: [],
        async collect(this: Gauge) {
          this.set((await rows()).filter((row) => row.connected).length);
        },
      }),
    );
  }

  /** A database that cannot answer leaves the per-node series out of the scrape rather than failing it. */
  private rows(): Promise<NodeRow[]> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      this.cached = {
        at: Date.now(),
        rows: this.read().catch(() => []),
      };
    }
    return this.cached.rows;
  }

  private async read(): Promise<NodeRow[]> {
    const [gauges, slugs] = await Promise.all([this.nodes.gauges(), this.accounts.slugs()]);
    return gauges.map((gauge) => ({ ...gauge, account: slugs.get(gauge.accountId) ?? gauge.accountId }));
  }
}
