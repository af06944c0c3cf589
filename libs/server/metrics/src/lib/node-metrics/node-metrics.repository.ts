import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAX_METRIC_POINTS, MetricPoint } from '@thresh/protocol';
import { DataSource } from 'typeorm';

export type Resolution = 'raw' | '1m' | '1h';

const BUCKET: Record<Exclude<Resolution, 'raw'>, string> = { '1m': 'minute', '1h': 'hour' };

interface PointRow {
  at: Date;
  cpu: number;
  memory: string;
  disk: string;
  containers: number;
}

/** Reads a node's samples over a time range: raw, or the per-minute or per-hour rollups. */
@Injectable()
export class NodeMetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Up to `limit` points, oldest first. */
  async points(nodeId: string, from: Date, to: Date, resolution: Resolution, limit = MAX_METRIC_POINTS): Promise<MetricPoint[]> {
    const rows: PointRow[] =
      resolution === 'raw'
        ? await this.dataSource.query(
            `SELECT at, cpu_percent AS cpu, memory_used_bytes AS memory, disk_used_bytes AS disk, containers_running AS containers
               FROM metric_samples WHERE node_id = $1 AND at >= $2 AND at < $3 ORDER BY at LIMIT $4`,
            [nodeId, from, to, limit],
          )
        : await this.dataSource.query(
            `SELECT bucket AS at, cpu_sum / samples AS cpu, round(memory_used_sum / samples) AS memory,
                    round(disk_used_sum / samples) AS disk, round(containers_sum::numeric / samples) AS containers
               FROM metric_rollups
              WHERE node_id = $1 AND resolution = $4 AND bucket >= date_trunc($5, $2::timestamptz, 'UTC') AND bucket < $3
              ORDER BY bucket LIMIT $6`,
            [nodeId, from, to, resolution, BUCKET[resolution], limit],
          );
    return rows.map((row) => ({
      at: row.at.toISOString(),
      cpuPercent: Math.round(Number(row.cpu) * 10) / 10,
      memoryUsedBytes: Number(row.memory),
      diskUsedBytes: Number(row.disk),
      containersRunning: Number(row.containers),
    }));
  }
}
