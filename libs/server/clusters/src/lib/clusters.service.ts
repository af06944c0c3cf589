import { Injectable } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AuthUser } from '@thresh/server-auth';
import { AppException } from '@thresh/server-core';
import { ClusterResponse, CreateClusterRequest } from '@thresh/protocol';
import { ClusterRepository, ClusterWithCount } from './cluster.repository';

function mapCluster(cluster: ClusterWithCount): ClusterResponse {
  return {
    id: cluster.id,
    name: cluster.name,
    description: cluster.description,
    nodeCount: cluster.nodeCount,
    createdAt: cluster.createdAt.toISOString(),
  };
}

@Injectable()
export class ClustersService {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly audit: AuditService,
  ) {}

  async create(user: AuthUser, request: CreateClusterRequest): Promise<ClusterResponse> {
    const cluster = await this.clusters.insert(user.accountId, request.name, request.description);
    if (!cluster) throw new AppException('conflict', `A cluster named "${request.name}" already exists`);
    await this.audit.record({
      accountId: user.accountId,
      actor: user.username,
      action: 'cluster.create',
      target: cluster.name,
      sourceAddress: user.sourceAddress,
    });
    return mapCluster({ ...cluster, nodeCount: 0 });
  }

  async list(accountId: string): Promise<ClusterResponse[]> {
    return (await this.clusters.listWithCounts(accountId)).map(mapCluster);
  }

  async get(accountId: string, name: string): Promise<ClusterResponse> {
    const cluster = (await this.clusters.listWithCounts(accountId)).find((candidate) => candidate.name === name);
    if (!cluster) throw new AppException('not_found', `No cluster named "${name}"`);
    return mapCluster(cluster);
  }

  async delete(user: AuthUser, name: string): Promise<void> {
    if (!(await this.clusters.deleteByName(user.accountId, name))) throw new AppException('not_found', `No cluster named "${name}"`);
    await this.audit.record({
      accountId: user.accountId,
      actor: user.username,
      action: 'cluster.delete',
      target: name,
      sourceAddress: user.sourceAddress,
    });
  }
}
