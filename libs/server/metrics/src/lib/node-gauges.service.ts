import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from './metrics.service';

interface NodeRow {
  account: string;
  node: string;
  node_id: string;
  up: number;
  connected: number;
  cpu: number | null;
  memory: string | null;
  disk: string | null;
  containers: number | null;
}

// One query serves every gauge of a scrape.
const CACHE_MS = 1000;

/** Per-node gauges for Prometheus, read from the latest values on the node rows at scrape time. */
@Injectable()
export class NodeGaugesService implements OnModuleInit {
  private cached?: { at: number; rows: Promise<NodeRow[]> };

  constructor(
    private readonly metrics: MetricsService,
    @InjectDataSource() private readonly dataSource: DataSource,
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
              if (current !== null) this.set({ account: row.account, node: row.node, node_id: row.node_id }, current);
            }
          },
        }),
      );
    };
    perNode('thresh_node_up', '1 while the node reports, 0 when offline', (row) => row.up);
    perNode('thresh_node_cpu_percent', 'CPU utilisation of the latest sample', (row) => row.cpu);
    perNode('thresh_node_memory_used_bytes', 'Memory in use at the latest sample', (row) => (row.memory === null ? null : Number(row.memory)));
    perNode('thresh_node_disk_used_bytes', 'Root file system in use at the latest sample', (row) => (row.disk === null ? null : Number(row.disk)));
    perNode('thresh_node_containers_running', 'Containers running at the latest sample', (row) => row.containers);
    const rows = () => this.rows();
    this.metrics.registry.registerMetric(
      new Gauge({
        name: 'thresh_hub_agents_connected',
        help: 'Agents connected through a midtier now',
        registers: [],
        async collect(this: Gauge) {
          this.set((await rows()).reduce((sum, row) => sum + row.connected, 0));
        },
      }),
    );
  }

  /** A database that cannot answer leaves the per-node series out of the scrape rather than failing it. */
  private rows(): Promise<NodeRow[]> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      this.cached = {
        at: Date.now(),
        rows: this.dataSource.query<NodeRow[]>(
          `SELECT a.slug AS account, n.name AS node, n.id AS node_id, (n.status = 'online')::int AS up, (n.connection_id IS NOT NULL AND n.status = 'online')::int AS connected,
                  n.cpu_percent AS cpu, n.memory_used_bytes AS memory, n.disk_used_bytes AS disk, n.containers_running AS containers
             FROM nodes n JOIN accounts a ON a.id = n.account_id`,
        ).catch(() => []),
      };
    }
    return this.cached.rows;
  }
}
