import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ClusterEntity } from './cluster.entity';

export type ClusterWithCount = ClusterEntity & { nodeCount: number };

export type AddNodeOutcome = 'added' | 'already_member' | 'gone';

const FOREIGN_KEY_VIOLATION = '23503';

@Injectable()
export class ClusterRepository {
  constructor(@InjectRepository(ClusterEntity) private readonly clusters: Repository<ClusterEntity>) {}

  /** Returns null when the name is taken in the account. */
  async insert(accountId: string, name: string, description: string): Promise<ClusterEntity | null> {
    const result = await this.clusters
      .createQueryBuilder()
      .insert()
      .values({ accountId, name, description })
      .orIgnore()
      .returning('*')
      .execute();
    return result.raw.length ? this.clusters.findOneBy({ accountId, name }) : null;
  }

  async listWithCounts(accountId: string): Promise<ClusterWithCount[]> {
    const rows: { id: string; name: string; description: string; created_at: Date; node_count: string }[] =
      await this.clusters.query(
        `SELECT c.id, c.name, c.description, c.created_at, count(cn.node_id) AS node_count
           FROM clusters c LEFT JOIN cluster_nodes cn ON cn.cluster_id = c.id
          WHERE c.account_id = $1 GROUP BY c.id ORDER BY c.name`,
        [accountId],
      );
    return rows.map((row) =>
      Object.assign(new ClusterEntity(), {
        id: row.id,
        accountId,
        name: row.name,
        description: row.description,
        createdAt: row.created_at,
        nodeCount: Number(row.node_count),
      }),
    );
  }

  findByName(accountId: string, name: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ accountId, name });
  }

  /** Returns null when the account has no cluster of that name. */
  async updateDescription(accountId: string, name: string, description: string): Promise<ClusterEntity | null> {
    const result = await this.clusters.update({ accountId, name }, { description });
    return (result.affected ?? 0) > 0 ? this.findByName(accountId, name) : null;
  }

  async deleteByName(accountId: string, name: string): Promise<boolean> {
    const result = await this.clusters.delete({ accountId, name });
    return (result.affected ?? 0) > 0;
  }

  /** The ids of the cluster's nodes. */
  async memberIds(clusterId: string): Promise<string[]> {
    const rows: { node_id: string }[] = await this.clusters.query(`SELECT node_id FROM cluster_nodes WHERE cluster_id = $1`, [clusterId]);
    return rows.map((row) => row.node_id);
  }

  /** "gone" when the cluster or the node was deleted since the caller looked it up. */
  async addNode(clusterId: string, nodeId: string): Promise<AddNodeOutcome> {
    try {
      const rows: unknown[] = await this.clusters.query(
        `INSERT INTO cluster_nodes (cluster_id, node_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING node_id`,
        [clusterId, nodeId],
      );
      return rows.length > 0 ? 'added' : 'already_member';
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return 'gone';
      throw error;
    }
  }

  /** False when the node was not in the cluster. */
  async removeNode(clusterId: string, nodeId: string): Promise<boolean> {
    const result = await this.clusters.manager
      .createQueryBuilder()
      .delete()
      .from('cluster_nodes')
      .where('cluster_id = :clusterId AND node_id = :nodeId', { clusterId, nodeId })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
