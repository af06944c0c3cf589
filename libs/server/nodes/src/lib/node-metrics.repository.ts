import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MetricPoint } from '@thresh/protocol';
import { DataSource } from 'typeorm';

export type Resolution = 'raw' | '1m' | '1h';

const BUCKET: Record<Exclude<Resolution, 'raw'>, string> = { '1m': 'minute', '1h': 'hour' };
const MAX_POINTS = 5000;

interface PointRow {
  at: Date;
  cpu: number;
  memory: string;
  disk: string;
  containers: number;
}

/** Reads a node's samples over a time range, raw or averaged per minute or hour, through the (node_id, at) index. */
@Injectable()
export class NodeMetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async points(nodeId: string, from: Date, to: Date, resolution: Resolution): Promise<MetricPoint[]> {
    const rows: PointRow[] =
      resolution === 'raw'
        ? await this.dataSource.query(
            `SELECT at, cpu_percent AS cpu, memory_used_bytes AS memory, disk_used_bytes AS disk, containers_running AS containers
               FROM metric_samples WHERE node_id = $1 AND at >= $2 AND at < $3 ORDER BY at LIMIT ${MAX_POINTS}`,
            [nodeId, from, to],
          )
        : await this.dataSource.query(
            `SELECT date_trunc('${BUCKET[resolution]}', at) AS at, avg(cpu_percent) AS cpu, round(avg(memory_used_bytes)) AS memory,
                    round(avg(disk_used_bytes)) AS disk, round(avg(containers_running)) AS containers
               FROM metric_samples WHERE node_id = $1 AND at >= $2 AND at < $3
              GROUP BY 1 ORDER BY 1 LIMIT ${MAX_POINTS}`,
            [nodeId, from, to],
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
