import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgentRegistration, nextFreeNodeName, NodeListQuery, NodeSampledEvent } from '@thresh/protocol';
import type { Transaction } from '@thresh/server-core';
import { In, Repository } from 'typeorm';
import { NodeEntity } from './node.entity';
import { Attachment, LatestSample, NodeGauge, SampleTarget } from './nodes.contract';

export interface StatusRow {
  account_id: string;
  id: string;
  name: string;
  status: 'online' | 'offline' | 'pruned';
  last_seen_at: Date | null;
}

const SORT_COLUMNS: Record<NodeListQuery['sort'], string> = {
  name: 'node.name',
  status: 'node.status',
  lastSeen: 'node.last_seen_at',
  cpu: 'node.cpu_percent',
  memory: 'node.memory_used_bytes',
  disk: 'node.disk_used_bytes',
};

export interface StoredIdentity {
  name: string;
  credentialHash: Buffer | null;
  enrollmentHash: Buffer | null;
}

/** What a claim makes of the node's identity, or why it is refused. */
export type Claim = { credentialHash: Buffer | null; enrollmentHash: Buffer | null } | { refused: string };

interface RegisteredRow {
  id: string;
  name: string;
  last_seq: string | null;
}

type ExistingRow = StoredIdentity & { id: string };

/** `adoptedBy`: a reset node taken over by name, by a machine with another agent id. */
export type ClaimOutcome = (RegisteredRow & { created: boolean; adoptedBy?: string }) | { refused: string; name: string };

const CLAIM_ATTEMPTS = 5;

/** What a registration says about the machine; the name is not among it: a registration never renames a node. */
const DESCRIPTION_UPDATES = `hostname = $3, platform = $4, arch = $5, agent_version = $6, cpu_cores = $7, memory_total_bytes = $8,
  disk_total_bytes = $9, metrics_interval_seconds = $10, drivers = $11`;

const describe = (accountId: string, registration: AgentRegistration) => [
  accountId,
  registration.agentId,
  registration.hostname,
  registration.platform,
  registration.arch,
  registration.agentVersion,
  registration.cpuCores,
  registration.memoryTotalBytes,
  registration.diskTotalBytes,
  registration.metricsIntervalSeconds,
  registration.drivers,
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class NodeRepository {
  constructor(@InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>) {}

  /**
   * The common case in one statement: a known node back with its credential. Null when the node is new, claimable, or
   * did not prove itself: the caller then takes the slow path, `claim`.
   */
  async reattach(accountId: string, registration: AgentRegistration, attachment: Attachment, credentialHash: Buffer): Promise<RegisteredRow | null> {
    // An UPDATE answers [rows, affected].
    const [rows]: [RegisteredRow[], number] = await this.nodes.query(
      `UPDATE nodes SET ${DESCRIPTION_UPDATES}, status = 'online', connection_id = $12, carrier_key_id = $13,
              enrollment_hash = NULL, last_seen_at = now(), updated_at = now()
        WHERE account_id = $1 AND agent_id = $2 AND credential_hash = $14
        RETURNING id, name, last_seq`,
      [...describe(accountId, registration), attachment.connectionId, attachment.carrierKeyId, credentialHash],
    );
    return rows[0] ?? null;
  }

  /**
   * A node registering without the credential its row holds, or for the first time: the row is locked, `decide` says
   * what the node's identity becomes (or why it is refused), and a new node gets the first free name like the one it
   * asked for.
   */
  async claim(
    accountId: string,
    registration: AgentRegistration,
    attachment: Attachment,
    decide: (existing: StoredIdentity | null) => Claim,
  ): Promise<ClaimOutcome> {
    return this.nodes.manager.transaction(async (manager) => {
      for (let attempt = 1; ; attempt++) {
        const [byAgent]: ExistingRow[] = await manager.query(
          `SELECT id, name, credential_hash AS "credentialHash", enrollment_hash AS "enrollmentHash"
             FROM nodes WHERE account_id = $1 AND agent_id = $2 FOR UPDATE`,
          [accountId, registration.agentId],
        );
        // A node an operator reset goes to the next machine asking for its name, whatever its agent id (a reinstall).
        const [byName]: ExistingRow[] = byAgent
          ? []
          : await manager.query(
              `SELECT id, name, credential_hash AS "credentialHash", enrollment_hash AS "enrollmentHash"
                 FROM nodes WHERE account_id = $1 AND name = $2 AND identity_reset_at IS NOT NULL FOR UPDATE`,
              [accountId, registration.nodeName],
            );
        const existing = byAgent ?? byName;
        const claim = decide(existing ?? null);
        if ('refused' in claim) return { refused: claim.refused, name: existing?.name ?? registration.nodeName };
        if (existing) {
          const [[row]]: [RegisteredRow[], number] = await manager.query(
            `UPDATE nodes SET ${DESCRIPTION_UPDATES}, agent_id = $2, status = 'online', connection_id = $12, carrier_key_id = $13,
                    credential_hash = $14, enrollment_hash = $15, identity_reset_at = NULL, last_seen_at = now(), updated_at = now()
              WHERE id = $16 AND account_id = $1
              RETURNING id, name, last_seq`,
            [...describe(accountId, registration), attachment.connectionId, attachment.carrierKeyId, claim.credentialHash, claim.enrollmentHash, existing.id],
          );
          return { ...row, created: false, ...(byName ? { adoptedBy: registration.agentId } : {}) };
        }
        const taken: { name: string }[] = await manager.query(
          `SELECT name FROM nodes WHERE account_id = $1 AND (name = $2 OR name LIKE $3 ESCAPE '\\')`,
          [accountId, registration.nodeName, `${registration.nodeName.slice(0, 50).replace(/[%_\\]/g, '\\$&')}%`],
        );
        const name = nextFreeNodeName(registration.nodeName, new Set(taken.map((row) => row.name)));
        // DO NOTHING on either key: the same agent registering at once, or the name taken meanwhile. Both: look again.
        const [row]: RegisteredRow[] = await manager.query(
          `INSERT INTO nodes (account_id, agent_id, hostname, platform, arch, agent_version, cpu_cores, memory_total_bytes,
                              disk_total_bytes, metrics_interval_seconds, drivers, status, connection_id, carrier_key_id,
                              credential_hash, enrollment_hash, name, last_seen_at, registered_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'online', $12, $13, $14, $15, $16, now(), now(), now())
           ON CONFLICT DO NOTHING
           RETURNING id, name, last_seq`,
          [...describe(accountId, registration), attachment.connectionId, attachment.carrierKeyId, claim.credentialHash, claim.enrollmentHash, name],
        );
        if (row) return { ...row, created: true };
        if (attempt >= CLAIM_ATTEMPTS) throw new Error(`could not register node ${registration.nodeName}: ${CLAIM_ATTEMPTS} names in a row were taken meanwhile`);
      }
    });
  }

  async rename(accountId: string, id: string, name: string): Promise<'renamed' | 'taken' | 'missing'> {
    try {
      const [, affected] = await this.nodes.query(`UPDATE nodes SET name = $3, updated_at = now() WHERE account_id = $1 AND id = $2`, [accountId, id, name]);
      return affected > 0 ? 'renamed' : 'missing';
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') return 'taken';
      throw error;
    }
  }

  /** The node's credential no longer holds: the next machine to register as it (by agent id, or by name) claims it. */
  async resetIdentity(accountId: string, id: string): Promise<void> {
    await this.nodes.query(
      `UPDATE nodes SET credential_hash = NULL, enrollment_hash = NULL, identity_reset_at = now(), updated_at = now() WHERE account_id = $1 AND id = $2`,
      [accountId, id],
    );
  }

  findById(accountId: string, id: string): Promise<NodeEntity | null> {
    return this.nodes.findOneBy({ accountId, id });
  }

  findByAgentId(accountId: string, agentId: string): Promise<NodeEntity | null> {
    return this.nodes.findOneBy({ accountId, agentId });
  }

  /** Only the connection that holds the node, through the carrier that holds it, takes it offline. */
  async markDisconnected(accountId: string, agentId: string, attachment: Attachment): Promise<StatusRow[]> {
    const [rows] = await this.nodes.query(
      `UPDATE nodes SET status = 'offline', connection_id = NULL, updated_at = now()
        WHERE account_id = $1 AND agent_id = $2 AND connection_id = $3 AND carrier_key_id IS NOT DISTINCT FROM $4
        RETURNING account_id, id, name, status, last_seen_at`,
      [accountId, agentId, attachment.connectionId, attachment.carrierKeyId],
    );
    return rows;
  }

  /** Nodes silent for longer than twice their interval plus the grace period go offline. */
  async markSilentOffline(graceSeconds: number): Promise<StatusRow[]> {
    const [rows] = await this.nodes.query(
      `UPDATE nodes SET status = 'offline', updated_at = now()
        WHERE status = 'online'
          AND last_seen_at < now() - make_interval(secs => 2 * metrics_interval_seconds + $1)
        RETURNING account_id, id, name, status, last_seen_at`,
      [graceSeconds],
    );
    return rows;
  }

  /**
   * Offline nodes silent for longer than the stale window are removed with their samples. A connection the node seems
   * to hold does not save it: a midtier that died never said its agents left.
   */
  async pruneStale(staleSeconds: number): Promise<StatusRow[]> {
    const [rows] = await this.nodes.query(
      `DELETE FROM nodes WHERE status = 'offline' AND coalesce(last_seen_at, registered_at) < now() - make_interval(secs => $1)
        RETURNING account_id, id, name, 'pruned' AS status, last_seen_at`,
      [staleSeconds],
    );
    return rows;
  }

  /** `memberIds`: only these nodes (a cluster's). */
  list(accountId: string, query: NodeListQuery, memberIds?: string[]): Promise<[NodeEntity[], number]> {
    const order = query.order === 'desc' ? 'DESC' : 'ASC';
    const builder = this.nodes
      .createQueryBuilder('node')
      .where('node.account_id = :accountId', { accountId })
      .orderBy(SORT_COLUMNS[query.sort], order, order === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST')
      .addOrderBy('node.id', 'ASC')
      .take(query.limit)
      .skip(query.offset);
    if (query.status) builder.andWhere('node.status = :status', { status: query.status });
    if (memberIds) builder.andWhere('node.id = ANY(:memberIds)', { memberIds });
    if (query.name) builder.andWhere('node.name ILIKE :name', { name: `%${query.name.replace(/[%_\\]/g, '\\$&')}%` });
    return builder.getManyAndCount();
  }

  findByIdOrName(accountId: string, idOrName: string): Promise<NodeEntity | null> {
    return this.nodes.findOneBy(UUID.test(idOrName) ? { accountId, id: idOrName } : { accountId, name: idOrName });
  }

  /** Up to `limit` nodes whose id starts with the prefix (the caller tells one match from several). */
  findByIdPrefix(accountId: string, prefix: string, limit: number): Promise<NodeEntity[]> {
    return this.nodes
      .createQueryBuilder('node')
      .where('node.account_id = :accountId', { accountId })
      .andWhere('node.id::text LIKE :prefix', { prefix: `${prefix.toLowerCase()}%` })
      .orderBy('node.name')
      .take(limit)
      .getMany();
  }

  findReachable(ids: string[]): Promise<NodeEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.nodes
      .createQueryBuilder('node')
      .where(`node.id = ANY(:ids) AND node.status = 'online' AND node.connection_id IS NOT NULL`, { ids })
      .getMany();
  }

  findManyById(accountId: string, ids: string[]): Promise<NodeEntity[]> {
    return ids.length ? this.nodes.find({ where: { accountId, id: In(ids) }, order: { name: 'ASC', id: 'ASC' } }) : Promise.resolve([]);
  }

  /**
   * Locks the nodes of a sample batch that its sender carries, in id order, by a statement of their own: what follows
   * in the transaction then sees what a concurrent batch for the same nodes committed (its last_seq, its rows).
   */
  lockForSamples(tx: Transaction, accountId: string, carrierKeyId: string | null, agentIds: string[]): Promise<SampleTarget[]> {
    return tx.query(
      `SELECT id AS "nodeId", agent_id AS "agentId", last_seq AS "lastSeq" FROM nodes
        WHERE account_id = $1 AND agent_id = ANY($2::uuid[]) AND carrier_key_id IS NOT DISTINCT FROM $3::uuid
        ORDER BY id FOR UPDATE`,
      [accountId, agentIds, carrierKeyId],
    );
  }

  /** Moves each node's latest values forward (never back) and marks it seen; returns the nodes it moved. */
  async recordLatest(tx: Transaction, latest: LatestSample[]): Promise<{ cameOnline: StatusRow[]; sampled: NodeSampledEvent[] }> {
    if (latest.length === 0) return { cameOnline: [], sampled: [] };
    const [row]: { came_online: StatusRow[]; sampled: NodeSampledEvent[] }[] = await tx.query(
      `WITH latest AS (
         SELECT * FROM json_to_recordset($1::json) AS l("nodeId" uuid, seq bigint, at timestamptz, "cpuPercent" real, "memoryUsedBytes" bigint,
                "memoryTotalBytes" bigint, "diskUsedBytes" bigint, "diskTotalBytes" bigint, "containersRunning" int, environments jsonb)
       ), locked AS (
         -- The rows are this transaction's since lockForSamples: what they hold now is what a sweep committed before.
         SELECT id, status AS previous FROM nodes WHERE id IN (SELECT "nodeId" FROM latest)
       ), moved AS (
         UPDATE nodes n
            SET cpu_percent = l."cpuPercent", memory_used_bytes = l."memoryUsedBytes", memory_total_bytes = l."memoryTotalBytes",
                disk_used_bytes = l."diskUsedBytes", disk_total_bytes = l."diskTotalBytes", containers_running = l."containersRunning",
                environments = l.environments, last_sample_at = LEAST(l.at, now()), last_seq = l.seq, last_seen_at = now(),
                status = CASE WHEN n.connection_id IS NOT NULL THEN 'online' ELSE n.status END,
                updated_at = now()
           FROM latest l JOIN locked k ON k.id = l."nodeId"
          WHERE n.id = l."nodeId" AND (n.last_seq IS NULL OR l.seq > n.last_seq)
          RETURNING n.account_id, n.id, n.name, n.status, n.last_seen_at, k.previous, n.last_sample_at, n.cpu_percent,
                    n.memory_used_bytes, n.disk_used_bytes, n.containers_running, n.environments
       )
       SELECT (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'id', id, 'name', name, 'status', status,
                                                          'last_seen_at', last_seen_at)), '[]')
                 FROM moved WHERE previous = 'offline' AND status = 'online') AS came_online,
              (SELECT coalesce(json_agg(json_build_object('nodeId', id, 'at', last_sample_at, 'cpuPercent', cpu_percent,
                                                          'memoryUsedBytes', memory_used_bytes, 'diskUsedBytes', disk_used_bytes,
                                                          'containersRunning', containers_running, 'environments', environments)), '[]')
                 FROM moved) AS sampled`,
      [JSON.stringify(latest)],
    );
    return { cameOnline: row.came_online, sampled: row.sampled };
  }

  /** Every node's latest values, for the Prometheus gauges. */
  gauges(): Promise<NodeGauge[]> {
    return this.nodes.query(
      `SELECT account_id AS "accountId", name AS node, id AS "nodeId", status = 'online' AS up, (connection_id IS NOT NULL AND status = 'online') AS connected,
              cpu_percent AS "cpuPercent", memory_used_bytes::float8 AS "memoryUsedBytes", disk_used_bytes::float8 AS "diskUsedBytes",
              containers_running AS "containersRunning"
         FROM nodes`,
    );
  }

}
