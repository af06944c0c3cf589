import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ClusterEntity } from './cluster.entity';

export type ClusterWithCount = ClusterEntity & { nodeCount: number };

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

  async deleteByName(accountId: string, name: string): Promise<boolean> {
    const result = await this.clusters.delete({ accountId, name });
    return (result.affected ?? 0) > 0;
  }
}
