import { Injectable } from '@nestjs/common';
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
  constructor(private readonly clusters: ClusterRepository) {}

  async create(accountId: string, request: CreateClusterRequest): Promise<ClusterResponse> {
    const cluster = await this.clusters.insert(accountId, request.name, request.description);
    if (!cluster) throw new AppException('conflict', `A cluster named "${request.name}" already exists`);
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

  async delete(accountId: string, name: string): Promise<void> {
    if (!(await this.clusters.deleteByName(accountId, name))) throw new AppException('not_found', `No cluster named "${name}"`);
  }
}
