import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AuthUser } from '@thresh/server-auth';
import { AppException } from '@thresh/server-core';
import { NodeRecord, NodesService } from '@thresh/server-nodes';
import {
  AddClusterNodeRequest,
  ClusterDetailResponse,
  ClusterResponse,
  CreateClusterRequest,
  UpdateClusterRequest,
} from '@thresh/protocol';
import { ClusterEntity } from './cluster.entity';
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

function mapDetail(cluster: ClusterEntity, members: NodeRecord[]): ClusterDetailResponse {
  return {
    ...mapCluster({ ...cluster, nodeCount: members.length }),
    nodes: members.map(({ id, name, status, lastSeenAt }) => ({ id, name, status, lastSeenAt })),
  };
}

const noCluster = (name: string) => new AppException('not_found', `No cluster named "${name}"`);

@Injectable()
export class ClustersService implements OnModuleInit {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly nodes: NodesService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.nodes.useClusterMembers(async (accountId, name) => {
      const cluster = await this.clusters.findByName(accountId, name);
      return cluster && this.clusters.memberIds(cluster.id);
    });
  }

  /** The cluster's nodes, by name. */
  private async members(cluster: ClusterEntity): Promise<NodeRecord[]> {
    return this.nodes.findManyById(cluster.accountId, await this.clusters.memberIds(cluster.id));
  }

  async create(user: AuthUser, request: CreateClusterRequest): Promise<ClusterResponse> {
    const cluster = await this.clusters.insert(user.accountId, request.name, request.description);
    if (!cluster) throw new AppException('conflict', `A cluster named "${request.name}" already exists`);
    await this.audit.recordBy(user, 'cluster.create', cluster.name);
    return mapCluster({ ...cluster, nodeCount: 0 });
  }

  async list(accountId: string): Promise<ClusterResponse[]> {
    return (await this.clusters.listWithCounts(accountId)).map(mapCluster);
  }

  async get(accountId: string, name: string): Promise<ClusterDetailResponse> {
    const cluster = await this.require(accountId, name);
    return mapDetail(cluster, await this.members(cluster));
  }

  async update(user: AuthUser, name: string, request: UpdateClusterRequest): Promise<ClusterDetailResponse> {
    const cluster = await this.clusters.updateDescription(user.accountId, name, request.description);
    if (!cluster) throw noCluster(name);
    await this.audit.recordBy(user, 'cluster.update', cluster.name, { description: request.description });
    return mapDetail(cluster, await this.members(cluster));
  }

  async delete(user: AuthUser, name: string): Promise<void> {
    if (!(await this.clusters.deleteByName(user.accountId, name))) throw noCluster(name);
    await this.audit.recordBy(user, 'cluster.delete', name);
  }

  /** Adds a node (by id, name or unique id prefix) to the cluster; 409 when it is already there. */
  async addNode(user: AuthUser, name: string, request: AddClusterNodeRequest): Promise<ClusterDetailResponse> {
    const cluster = await this.require(user.accountId, name);
    const node = await this.nodes.resolve(user.accountId, request.node);
    const outcome = await this.clusters.addNode(cluster.id, node.id);
    if (outcome === 'already_member') throw new AppException('conflict', `node "${node.name}" is already in cluster "${cluster.name}"`);
    // Deleted (or the node pruned) between the look-up and the insert.
    if (outcome === 'gone') throw (await this.clusters.findByName(user.accountId, name)) ? this.noNode(request.node) : noCluster(name);
    await this.audit.recordBy(user, 'cluster.node.add', membershipTarget(cluster, node), { node: node.name, nodeId: node.id });
    return mapDetail(cluster, await this.members(cluster));
  }

  async removeNode(user: AuthUser, name: string, nodeRef: string): Promise<void> {
    const cluster = await this.require(user.accountId, name);
    const node = await this.nodes.resolve(user.accountId, nodeRef);
    if (!(await this.clusters.removeNode(cluster.id, node.id))) {
      throw new AppException('not_found', `node "${node.name}" is not in cluster "${cluster.name}"`);
    }
    await this.audit.recordBy(user, 'cluster.node.remove', membershipTarget(cluster, node), { node: node.name, nodeId: node.id });
  }

  private async require(accountId: string, name: string): Promise<ClusterEntity> {
    const cluster = await this.clusters.findByName(accountId, name);
    if (!cluster) throw noCluster(name);
    return cluster;
  }

  private noNode(nodeRef: string): AppException {
    return new AppException('not_found', `No node with id, name or id prefix "${nodeRef}"`);
  }
}

function membershipTarget(cluster: ClusterEntity, node: NodeRecord): string {
  return `${cluster.name}: ${node.name} (${node.id})`;
}
