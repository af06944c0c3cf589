import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { AgentRegistration, HeartbeatBatch, NodeListQuery, NodeListResponse, NodeResponse, RegisteredNode } from '@thresh/protocol';
import { NodeEntity } from './node.entity';
import { NodeRepository } from './node.repository';

export const NODES_OPTIONS = Symbol('NODES_OPTIONS');

export interface NodesOptions {
  /** Added to twice a node's metrics interval before it counts as offline. */
  graceSeconds: number;
  /** How often silent nodes are looked for. */
  sweepIntervalMs: number;
}

export function mapNode(node: NodeEntity): NodeResponse {
  return {
    id: node.id,
    agentId: node.agentId,
    name: node.name,
    hostname: node.hostname,
    status: node.status,
    lastSeenAt: node.lastSeenAt?.toISOString() ?? null,
    platform: node.platform,
    arch: node.arch,
    agentVersion: node.agentVersion,
    cpuCores: node.cpuCores,
    memoryTotalBytes: node.memoryTotalBytes,
    diskTotalBytes: node.diskTotalBytes,
    registeredAt: node.registeredAt.toISOString(),
  };
}

@Injectable()
export class NodesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodesService.name);
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly nodes: NodeRepository,
    @Inject(NODES_OPTIONS) private readonly options: NodesOptions,
  ) {}

  onModuleInit(): void {
    this.sweepTimer = setInterval(() => void this.sweepSilentNodes(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweepTimer);
  }

  async register(accountId: string, registration: AgentRegistration, connectionId: string): Promise<RegisteredNode> {
    const node = await this.nodes.upsertRegistration(accountId, registration, connectionId);
    return { nodeId: node.id, nodeName: node.name };
  }

  recordHeartbeats(accountId: string, batch: HeartbeatBatch): Promise<number> {
    return this.nodes.recordHeartbeats(accountId, batch.items);
  }

  markDisconnected(accountId: string, agentId: string, connectionId: string): Promise<void> {
    return this.nodes.markDisconnected(accountId, agentId, connectionId);
  }

  async list(accountId: string, query: NodeListQuery): Promise<NodeListResponse> {
    const [items, total] = await this.nodes.list(accountId, query);
    return { items: items.map(mapNode), total, limit: query.limit, offset: query.offset };
  }

  async get(accountId: string, idOrName: string): Promise<NodeResponse> {
    const node = await this.nodes.findByIdOrName(accountId, idOrName);
    if (!node) throw new AppException('not_found', `No node with id or name "${idOrName}"`);
    return mapNode(node);
  }

  private async sweepSilentNodes(): Promise<void> {
    try {
      const count = await this.nodes.markSilentOffline(this.options.graceSeconds);
      if (count > 0) this.logger.log(`${count} silent node(s) marked offline`);
    } catch (error) {
      this.logger.warn(`offline sweep failed: ${(error as Error).message}`);
    }
  }
}
