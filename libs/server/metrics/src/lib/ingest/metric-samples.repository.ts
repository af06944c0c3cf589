import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAX_SEQ_AHEAD, MetricSample } from '@thresh/protocol';
import type { Transaction } from '@thresh/server-core';
import type { LatestSample, SampleTarget } from '@thresh/server-nodes';
import { DataSource } from 'typeorm';

export interface InsertResult {
  /** New rows; a repeat of a stored (node, seq) is not counted. */
  stored: number;
  /** Samples of agents the hub does not know in this account (never registered), or that the sender does not carry: dropped. */
  unknown: number;
  /** Samples numbered impossibly far past their node's last (MAX_SEQ_AHEAD): refused, nothing moved. */
  refused: number;
  /** Each node's newest sane sample of the batch. */
  latest: LatestSample[];
}

interface InsertRow {
  stored: string;
  known: string;
  sane: string;
  received: string;
  latest: LatestSample[];
}

/** Adds the rows this statement really inserted (never a repeat) to the rollup of the given bucket size. */
const rollup = (resolution: string, unit: string) => `
  INSERT INTO metric_rollups AS r (node_id, resolution, bucket, samples, cpu_sum, cpu_max, memory_used_sum, disk_used_sum, containers_sum)
  SELECT node_id, ${resolution}, date_trunc('${unit}', at, 'UTC'), count(*), sum(cpu_percent), max(cpu_percent),
         sum(memory_used_bytes), sum(disk_used_bytes), sum(containers_running)
    FROM inserted GROUP BY node_id, date_trunc('${unit}', at, 'UTC')
    -- One order for every batch, so two batches upserting the same buckets wait for each other instead of deadlocking.
    ORDER BY 1, 3
  ON CONFLICT (node_id, resolution, bucket) DO UPDATE SET
    samples = r.samples + EXCLUDED.samples, cpu_sum = r.cpu_sum + EXCLUDED.cpu_sum, cpu_max = GREATEST(r.cpu_max, EXCLUDED.cpu_max),
    memory_used_sum = r.memory_used_sum + EXCLUDED.memory_used_sum, disk_used_sum = r.disk_used_sum + EXCLUDED.disk_used_sum,
    containers_sum = r.containers_sum + EXCLUDED.containers_sum
  RETURNING 1`;

@Injectable()
export class MetricSamplesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * One statement: read the samples from JSON, resolve agent ids to the batch's locked nodes, insert with ON CONFLICT
   * DO NOTHING (exactly-once storage of at-least-once delivery), and add what was new to the minute and hour rollups.
   */
  async insert(tx: Transaction, samples: MetricSample[], targets: SampleTarget[]): Promise<InsertResult> {
    const [row]: InsertRow[] = await tx.query(
      `WITH input AS (
         -- One JSON parameter rather than a column array each: the driver spends far less to send it.
         SELECT "agentId" AS agent_id, seq, at, "cpuPercent" AS cpu, "memoryUsedBytes" AS mem_used, "memoryTotalBytes" AS mem_total,
                "diskUsedBytes" AS disk_used, "diskTotalBytes" AS disk_total, "containersRunning" AS containers, environments
           FROM json_to_recordset($1::json) AS u("agentId" uuid, seq bigint, at timestamptz, "cpuPercent" real, "memoryUsedBytes" bigint,
                "memoryTotalBytes" bigint, "diskUsedBytes" bigint, "diskTotalBytes" bigint, "containersRunning" int, environments jsonb)
       ), known AS (
         SELECT t."nodeId" AS node_id, t."lastSeq" AS stored_through, i.*
           FROM input i JOIN json_to_recordset($2::json) AS t("nodeId" uuid, "agentId" uuid, "lastSeq" bigint) ON t."agentId" = i.agent_id
       ), resolved AS (
         -- One wild sequence number must not make every later sample of the node look like a repeat.
         SELECT * FROM known WHERE seq <= coalesce(stored_through, 0) + ${MAX_SEQ_AHEAD}
       ), inserted AS (
         INSERT INTO metric_samples (node_id, seq, at, cpu_percent, memory_used_bytes, memory_total_bytes,
                                     disk_used_bytes, disk_total_bytes, containers_running)
         SELECT node_id, seq, LEAST(at, now()), cpu, mem_used, mem_total, disk_used, disk_total, containers FROM resolved
          -- An agent sends in order, so a seq at or below the node's last is a repeat, even once retention dropped its row.
          WHERE stored_through IS NULL OR seq > stored_through
         ON CONFLICT DO NOTHING
         RETURNING node_id, at, cpu_percent, memory_used_bytes, disk_used_bytes, containers_running
       ), minutes AS (
         ${rollup("'1m'", 'minute')}
       ), hours AS (
         ${rollup("'1h'", 'hour')}
       ), latest AS (
         SELECT DISTINCT ON (node_id) * FROM resolved ORDER BY node_id, seq DESC
       )
       SELECT (SELECT count(*) FROM inserted) AS stored, (SELECT count(*) FROM known) AS known, (SELECT count(*) FROM resolved) AS sane,
              (SELECT count(*) FROM input) AS received,
              (SELECT coalesce(json_agg(json_build_object('nodeId', node_id, 'seq', seq, 'at', at, 'cpuPercent', cpu, 'memoryUsedBytes', mem_used,
                                                          'memoryTotalBytes', mem_total, 'diskUsedBytes', disk_used, 'diskTotalBytes', disk_total,
                                                          'containersRunning', containers, 'environments', environments)), '[]')
                 FROM latest) AS latest`,
      [JSON.stringify(samples), JSON.stringify(targets)],
    );
    return {
      stored: Number(row.stored),
      unknown: Number(row.received) - Number(row.known),
      refused: Number(row.known) - Number(row.sane),
      latest: row.latest,
    };
  }
}
