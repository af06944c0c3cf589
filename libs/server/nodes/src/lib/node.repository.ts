import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AgentRegistration, NodeListQuery } from '@thresh/protocol';
import { Repository } from 'typeorm';
import { NodeEntity } from './node.entity';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class NodeRepository {
  constructor(@InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>) {}

  /** One statement whether the node is new or returning: the agent id is its identity. */
  async upsertRegistration(
    accountId: string,
    registration: AgentRegistration,
    connectionId: string,
  ): Promise<{ id: string; name: string; last_seq: string | null }> {
    const rows: { id: string; name: string; last_seq: string | null }[] = await this.nodes.query(
      `INSERT INTO nodes (account_id, agent_id, name, hostname, platform, arch, agent_version, cpu_cores,
                          memory_total_bytes, disk_total_bytes, metrics_interval_seconds, status, connection_id,
                          drivers, last_seen_at, registered_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'online', $12, $13, now(), now(), now())
       ON CONFLICT (account_id, agent_id) DO UPDATE SET
         name = EXCLUDED.name, hostname = EXCLUDED.hostname, platform = EXCLUDED.platform, arch = EXCLUDED.arch,
         agent_version = EXCLUDED.agent_version, cpu_cores = EXCLUDED.cpu_cores,
         memory_total_bytes = EXCLUDED.memory_total_bytes, disk_total_bytes = EXCLUDED.disk_total_bytes,
         metrics_interval_seconds = EXCLUDED.metrics_interval_seconds, status = 'online',
         connection_id = EXCLUDED.connection_id, drivers = EXCLUDED.drivers, last_seen_at = now(), updated_at = now()
       RETURNING id, name, last_seq`,
      [
        accountId,
        registration.agentId,
        registration.nodeName,
        registration.hostname,
        registration.platform,
        registration.arch,
        registration.agentVersion,
        registration.cpuCores,
        registration.memoryTotalBytes,
        registration.diskTotalBytes,
        registration.metricsIntervalSeconds,
        connectionId,
        registration.drivers,
      ],
    );
    return rows[0];
  }

  findById(accountId: string, id: string): Promise<NodeEntity | null> {
    return this.nodes.findOneBy({ accountId, id });
  }

  findByAgentId(accountId: string, agentId: string): Promise<NodeEntity | null> {
    return this.nodes.findOneBy({ accountId, agentId });
  }

  async markDisconnected(accountId: string, agentId: string, connectionId: string): Promise<StatusRow[]> {
    const [rows] = await this.nodes.query(
      `UPDATE nodes SET status = 'offline', connection_id = NULL, updated_at = now()
        WHERE account_id = $1 AND agent_id = $2 AND connection_id = $3
        RETURNING account_id, id, name, status, last_seen_at`,
      [accountId, agentId, connectionId],
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

  list(accountId: string, query: NodeListQuery): Promise<[NodeEntity[], number]> {
    const order = query.order === 'desc' ? 'DESC' : 'ASC';
    const builder = this.nodes
      .createQueryBuilder('node')
      .where('node.account_id = :accountId', { accountId })
      .orderBy(SORT_COLUMNS[query.sort], order, order === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST')
      .addOrderBy('node.id', 'ASC')
      .take(query.limit)
      .skip(query.offset);
    if (query.status) builder.andWhere('node.status = :status', { status: query.status });
    if (query.cluster) {
      builder.andWhere(
        `node.id IN (SELECT cn.node_id FROM cluster_nodes cn JOIN clusters c ON c.id = cn.cluster_id
                      WHERE c.account_id = :accountId AND c.name = :cluster)`,
        { cluster: query.cluster },
      );
    }
    if (query.name) builder.andWhere('node.name ILIKE :name', { name: `%${query.name.replace(/[%_\\]/g, '\\$&')}%` });
    return builder.getManyAndCount();
  }

  findByIdOrName(accountId: string, idOrName: string): Promise<NodeEntity | null> {
    return UUID.test(idOrName)
      ? this.nodes.findOneBy({ accountId, id: idOrName })
      : this.nodes.findOne({ where: { accountId, name: idOrName }, order: { lastSeenAt: 'DESC' } });
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
}
