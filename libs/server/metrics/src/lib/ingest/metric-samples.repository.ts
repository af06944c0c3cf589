import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAX_SEQ_AHEAD, MetricsBatch, NodeSampledEvent } from '@thresh/protocol';
import { StatusRow } from '@thresh/server-nodes';
import { DataSource } from 'typeorm';

export interface StoreResult {
  /** New rows; a repeat of a stored (node, seq) is not counted. */
  stored: number;
  /** Samples of agents the hub does not know in this account (never registered), or that the sender does not carry: dropped. */
  unknown: number;
  /** Samples numbered impossibly far past their node's last (MAX_SEQ_AHEAD): refused, nothing moved. */
  refused: number;
  /** Nodes this batch brought back from offline. */
  cameOnline: StatusRow[];
  /** Each node's latest values that this batch moved forward, for the live dashboard. */
  sampled: NodeSampledEvent[];
}

interface StoreRow {
  stored: string;
  known: string;
  sane: string;
  received: string;
  came_online: StatusRow[];
  sampled: NodeSampledEvent[];
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

  /**
   * The whole batch in one transaction, its nodes locked first, then one statement: read the samples from JSON,
   * resolve agent ids to nodes of the account, insert with ON CONFLICT DO NOTHING (exactly-once storage of
   * at-least-once delivery), add what was new to the minute and hour rollups, and move each node's latest values forward.
   */
  /** `carrierKeyId`: the midtier key the batch came through (only its nodes' samples count), or null for the hub's own gateway. */
  async store(accountId: string, carrierKeyId: string | null, batch: MetricsBatch): Promise<StoreResult> {
    const samples = batch.samples;
    const agentIds = [...new Set(samples.map((sample) => sample.agentId))];
    return this.dataSource.transaction(async (manager) => {
      // The nodes are locked first, in id order, by a statement of their own: the insert that follows then sees what a
      // concurrent batch for the same nodes committed (its last_seq, its rows), so two copies of a sample in flight at
      // once are stored once, even when the clamp to now() gives them different times.
      await manager.query('SELECT id FROM nodes WHERE account_id = $1 AND agent_id = ANY($2::uuid[]) ORDER BY id FOR UPDATE', [accountId, agentIds]);
      const rows: StoreRow[] = await manager.query(
        `WITH input AS (
           -- One JSON parameter rather than a column array each: the driver spends far less to send it.
           SELECT "agentId" AS agent_id, seq, at, "cpuPercent" AS cpu, "memoryUsedBytes" AS mem_used, "memoryTotalBytes" AS mem_total,
                  "diskUsedBytes" AS disk_used, "diskTotalBytes" AS disk_total, "containersRunning" AS containers, environments
             FROM json_to_recordset($2::json) AS u("agentId" uuid, seq bigint, at timestamptz, "cpuPercent" real, "memoryUsedBytes" bigint,
                  "memoryTotalBytes" bigint, "diskUsedBytes" bigint, "diskTotalBytes" bigint, "containersRunning" int, environments jsonb)
         ), known AS (
           SELECT n.id AS node_id, n.last_seq AS stored_through, i.*
             FROM input i JOIN nodes n ON n.account_id = $1 AND n.agent_id = i.agent_id AND n.carrier_key_id IS NOT DISTINCT FROM $3::uuid
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
         ), locked AS (
           -- Locked in id order (no deadlock between batches), reading the status as committed by a concurrent sweep.
           SELECT id, status AS previous FROM nodes WHERE id IN (SELECT node_id FROM latest) ORDER BY id FOR UPDATE
         ), moved AS (
           UPDATE nodes n
              SET cpu_percent = l.cpu, memory_used_bytes = l.mem_used, memory_total_bytes = l.mem_total,
                  disk_used_bytes = l.disk_used, disk_total_bytes = l.disk_total, containers_running = l.containers,
                  environments = l.environments, last_sample_at = LEAST(l.at, now()), last_seq = l.seq,
                  last_seen_at = now(),
                  status = CASE WHEN n.connection_id IS NOT NULL THEN 'online' ELSE n.status END,
                  updated_at = now()
             FROM latest l JOIN locked k ON k.id = l.node_id
            WHERE n.id = l.node_id AND (n.last_seq IS NULL OR l.seq > n.last_seq)
            RETURNING n.account_id, n.id, n.name, n.status, n.last_seen_at, k.previous, n.last_sample_at, n.cpu_percent,
                      n.memory_used_bytes, n.disk_used_bytes, n.containers_running, n.environments
         )
         SELECT (SELECT count(*) FROM inserted) AS stored, (SELECT count(*) FROM known) AS known, (SELECT count(*) FROM resolved) AS sane,
                (SELECT count(*) FROM input) AS received,
                (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'id', id, 'name', name, 'status', status,
                                                            'last_seen_at', last_seen_at)), '[]')
                   FROM moved WHERE previous = 'offline' AND status = 'online') AS came_online,
                (SELECT coalesce(json_agg(json_build_object('nodeId', id, 'at', last_sample_at, 'cpuPercent', cpu_percent,
                                                            'memoryUsedBytes', memory_used_bytes, 'diskUsedBytes', disk_used_bytes,
                                                            'containersRunning', containers_running, 'environments', environments)), '[]')
                   FROM moved) AS sampled`,
        [accountId, JSON.stringify(samples), carrierKeyId],
      );
      return {
        stored: Number(rows[0].stored),
        unknown: Number(rows[0].received) - Number(rows[0].known),
        refused: Number(rows[0].known) - Number(rows[0].sane),
        cameOnline: rows[0].came_online,
        sampled: rows[0].sampled,
      };
    });
  }
}
