import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import {
  MAX_METRIC_POINTS,
  AgentRegistration,
  NodeListQuery,
  NodeListResponse,
  NodeMetricsQuery,
  NodeMetricsResponse,
  NodeResponse,
  RegisteredNode,
} from '@thresh/protocol';
import { AuditService } from '@thresh/server-audit';
import { NodeEvents } from './node-events';
import { NodeMetricsRepository, Resolution } from './node-metrics.repository';
import { StatusRow } from './node.repository';
import { NodeEntity } from './node.entity';
import { NodeRepository } from './node.repository';

export const NODES_OPTIONS = Symbol('NODES_OPTIONS');

export interface NodesOptions {
  /** Added to twice a node's metrics interval before it counts as offline. */
  graceSeconds: number;
  /** Nodes silent this long are removed (and the removal audited). */
  staleSeconds: number;
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
    cpuPercent: node.cpuPercent,
    memoryUsedBytes: node.memoryUsedBytes,
    diskUsedBytes: node.diskUsedBytes,
    containersRunning: node.containersRunning,
    environments: node.environments,
    drivers: node.drivers,
    lastSampleAt: node.lastSampleAt?.toISOString() ?? null,
  };
}

@Injectable()
export class NodesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodesService.name);
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly nodes: NodeRepository,
    private readonly nodeMetrics: NodeMetricsRepository,
    private readonly events: NodeEvents,
    private readonly audit: AuditService,
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
    this.events.changed([{ accountId, nodeId: node.id, name: node.name, status: 'online', lastSeenAt: new Date().toISOString() }]);
    return { nodeId: node.id, nodeName: node.name, lastSeq: node.last_seq === null ? null : Number(node.last_seq) };
  }

  async markDisconnected(accountId: string, agentId: string, connectionId: string): Promise<void> {
    this.announce(await this.nodes.markDisconnected(accountId, agentId, connectionId));
  }

  /** Status changes found elsewhere (a metrics batch bringing nodes back) go out the same way. */
  announce(rows: StatusRow[]): void {
    this.events.changed(
      rows.map((row) => ({
        accountId: row.account_id,
        nodeId: row.id,
        name: row.name,
        status: row.status,
        lastSeenAt: row.last_seen_at ? new Date(row.last_seen_at).toISOString() : null,
      })),
    );
  }

  async list(accountId: string, query: NodeListQuery): Promise<NodeListResponse> {
    const [items, total] = await this.nodes.list(accountId, query);
    return { items: items.map(mapNode), total, limit: query.limit, offset: query.offset };
  }

  async get(accountId: string, idOrName: string): Promise<NodeResponse> {
    return mapNode(await this.resolve(accountId, idOrName));
  }

  /** "auto" picks the finest tier whose points over the range fit in one answer: raw, then minutes, then hours. */
  async metrics(accountId: string, idOrName: string, query: NodeMetricsQuery): Promise<NodeMetricsResponse> {
    const node = await this.resolve(accountId, idOrName);
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 3600_000);
    if (from >= to) throw new AppException('validation_failed', 'from must be before to');
    const span = to.getTime() - from.getTime();
    const fits = (pointEveryMs: number) => span / pointEveryMs <= MAX_METRIC_POINTS;
    const resolution: Resolution =
      query.resolution !== 'auto' ? query.resolution : fits(node.metricsIntervalSeconds * 1000) ? 'raw' : fits(60_000) ? '1m' : '1h';
    const points = await this.nodeMetrics.points(node.id, from, to, resolution, MAX_METRIC_POINTS + 1);
    const truncated = points.length > MAX_METRIC_POINTS;
    return { node: node.name, resolution, from: from.toISOString(), to: to.toISOString(), points: points.slice(0, MAX_METRIC_POINTS), truncated };
  }

  /** A node by id, by name, or by a unique prefix of its id (at least 4 characters). */
  findById(accountId: string, id: string): Promise<NodeEntity | null> {
    return this.nodes.findById(accountId, id);
  }

  /** The node of an agent, as a midtier names it. */
  findByAgentId(accountId: string, agentId: string): Promise<NodeEntity | null> {
    return this.nodes.findByAgentId(accountId, agentId);
  }

  async resolve(accountId: string, idOrName: string): Promise<NodeEntity> {
    const node = await this.nodes.findByIdOrName(accountId, idOrName);
    if (node) return node;
    if (/^[0-9a-f-]{4,35}$/i.test(idOrName)) {
      const matches = await this.nodes.findByIdPrefix(accountId, idOrName, 5);
      if (matches.length === 1) return matches[0];
      if (matches.length > 1) {
        throw new AppException('conflict', `"${idOrName}" matches several nodes (${matches.map((match) => `${match.name} ${match.id}`).join(', ')}${matches.length === 5 ? ', …' : ''}); give more of the id`);
      }
    }
    throw new AppException('not_found', `No node with id, name or id prefix "${idOrName}"`);
  }

  /** Marks silent nodes offline and removes stale ones; public so tests and operators can run it at once. */
  async sweepSilentNodes(): Promise<{ offline: number; pruned: number }> {
    try {
      const silent = await this.nodes.markSilentOffline(this.options.graceSeconds);
      if (silent.length > 0) this.logger.log(`${silent.length} silent node(s) marked offline`);
      this.announce(silent);
      const stale = await this.nodes.pruneStale(this.options.staleSeconds);
      for (const node of stale) {
        await this.audit.record({
          accountId: node.account_id,
          actor: 'hub',
          action: 'node.prune',
          target: `${node.name} (${node.id})`,
          details: { lastSeenAt: node.last_seen_at, staleSeconds: this.options.staleSeconds },
        });
      }
      this.announce(stale);
      return { offline: silent.length, pruned: stale.length };
    } catch (error) {
      this.logger.warn(`offline sweep failed: ${(error as Error).message}`);
      return { offline: 0, pruned: 0 };
    }
  }
}
