import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException, OncePerWindow, type Transaction } from '@thresh/server-core';
import {
  AgentRegistration,
  AuditAction,
  NodeListQuery,
  NodeListResponse,
  NodeResponse,
  NodeSampledEvent,
  RegisteredNode,
  generateCredential,
  parseCredential,
  printable,
} from '@thresh/protocol';
import { AuditService } from '@thresh/server-audit';
import type { AuthUser } from '@thresh/server-auth';
import { createHash, timingSafeEqual } from 'node:crypto';
import { NodeEvents, NodeStatusChange } from './node-events';
import { NodeEntity } from './node.entity';
import { Claim, NodeRepository, StatusRow, StoredIdentity } from './node.repository';
import { Attachment, ClusterMembers, LatestSample, NodeGauge, NodeRecord, RegisteringAgent, SampleTarget } from './nodes.contract';

export const NODES_OPTIONS = Symbol('NODES_OPTIONS');

export interface NodesOptions {
  /** Added to twice a node's metrics interval before it counts as offline. */
  graceSeconds: number;
  /** Nodes silent this long are removed (and the removal audited). */
  staleSeconds: number;
  /** How often silent nodes are looked for. */
  sweepIntervalMs: number;
}

function mapNode(node: NodeEntity): NodeResponse {
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
    identity: node.credentialHash ? 'credential' : 'claimable',
  };
}

const toRecord = (node: NodeEntity): NodeRecord => ({
  ...mapNode(node),
  accountId: node.accountId,
  carrierKeyId: node.carrierKeyId,
  metricsIntervalSeconds: node.metricsIntervalSeconds,
  environments: node.environments,
  reachable: node.status === 'online' && node.connectionId !== null,
});

const toChange = (row: StatusRow): NodeStatusChange => ({
  accountId: row.account_id,
  nodeId: row.id,
  name: row.name,
  status: row.status,
  lastSeenAt: row.last_seen_at ? new Date(row.last_seen_at).toISOString() : null,
});

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** The hash a node credential is stored as; null for anything that is not a well-formed node credential of the account. */
function credentialHashOf(credential: string | undefined, account: string): Buffer | null {
  if (!credential) return null;
  const parsed = parseCredential(credential);
  if (!parsed.ok || parsed.credential.kind !== 'node' || parsed.credential.account !== account) return null;
  return sha256(parsed.credential.secret);
}

const same = (a: Buffer | null, b: Buffer | null) => a !== null && b !== null && a.length === b.length && timingSafeEqual(a, b);

/**
 * Who a registration may be. A new node gets a credential. A node that holds one must present it, or the enrollment
 * secret of the registration that was issued it, unanswered (its answer lost). A claimable node (from before
 * credentials, or after a reset) goes to whoever registers next: an agent that sends an enrollment gets a credential,
 * an older one keeps the node claimable.
 */
export function decideClaim(
  existing: StoredIdentity | null,
  asked: { presented: Buffer | null; enrollment: Buffer | null; issue: () => Buffer | null },
): Claim {
  if (!existing) return { credentialHash: asked.issue(), enrollmentHash: asked.enrollment };
  if (same(existing.credentialHash, asked.presented)) return { credentialHash: existing.credentialHash, enrollmentHash: null };
  if (!existing.credentialHash) return asked.enrollment ? { credentialHash: asked.issue(), enrollmentHash: asked.enrollment } : { credentialHash: null, enrollmentHash: null };
  if (same(existing.enrollmentHash, asked.enrollment)) return { credentialHash: asked.issue(), enrollmentHash: asked.enrollment };
  return { refused: asked.presented ? "presented a node credential that is not this node's" : 'did not present the node credential' };
}

@Injectable()
export class NodesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodesService.name);
  private sweepTimer?: NodeJS.Timeout;
  /** A refused claim on a node is audited once a minute. */
  private readonly refusalsAudited = new OncePerWindow(60_000);
  private clusterMembers?: ClusterMembers;

  constructor(
    private readonly nodes: NodeRepository,
    private readonly events: NodeEvents,
    private readonly audit: AuditService,
    @Inject(NODES_OPTIONS) private readonly options: NodesOptions,
  ) {}

  onModuleInit(): void {
    this.sweepTimer = setInterval(() => void this.sweepSilentNodes(), this.options.sweepIntervalMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweepTimer);
  }

  /**
   * A node proves it is itself with its node credential; a new node gets one (and the first free name like the one it
   * asked for). A claim on a node without its credential is refused, changes nothing, and is audited.
   */
  async register(agent: RegisteringAgent, registration: AgentRegistration, attachment: Attachment): Promise<RegisteredNode> {
    const presented = credentialHashOf(registration.nodeCredential, agent.account);
    const reattached = presented ? await this.nodes.reattach(agent.accountId, registration, attachment, presented) : null;
    let issued: string | undefined;
    const issue = () => {
      issued = generateCredential('node', agent.account);
      return credentialHashOf(issued, agent.account);
    };
    const enrollment = registration.enrollment ? sha256(registration.enrollment) : null;
    const outcome =
      reattached ?? (await this.nodes.claim(agent.accountId, registration, attachment, (existing) => decideClaim(existing, { presented, enrollment, issue })));
    if ('refused' in outcome) {
      await this.auditRefusal(agent, registration.agentId, outcome.name, outcome.refused);
      throw new AppException(
        'forbidden',
        `Node "${outcome.name}" belongs to another machine: this one ${outcome.refused}. If the machine was reinstalled, run "thresh node reset-identity ${outcome.name}" and let it register again`,
      );
    }
    if (!reattached && (('created' in outcome && outcome.created) || issued)) {
      await this.recordByAgent(agent, 'node.register', `${outcome.name} (${outcome.id})`, {
        agentId: registration.agentId,
        ...('created' in outcome && outcome.created ? {} : { claimed: true }),
        ...('adoptedBy' in outcome && outcome.adoptedBy ? { claimedByName: true } : {}),
        ...(outcome.name !== registration.nodeName ? { requestedName: registration.nodeName } : {}),
        credential: issued ? 'issued' : 'none',
      });
    }
    this.events.changed([{ accountId: agent.accountId, nodeId: outcome.id, name: outcome.name, status: 'online', lastSeenAt: new Date().toISOString() }]);
    return {
      nodeId: outcome.id,
      nodeName: outcome.name,
      lastSeq: outcome.last_seq === null ? null : Number(outcome.last_seq),
      ...(issued ? { nodeCredential: issued } : {}),
    };
  }

  /** One audit row per node and minute: an agent retrying a refused claim must not flood the log. */
  private async auditRefusal(agent: RegisteringAgent, agentId: string, name: string, reason: string): Promise<void> {
    if (!this.refusalsAudited.take(`${agent.accountId}/${agentId}`)) return;
    this.logger.warn(`refused a registration as node ${printable(name)} from ${printable(agent.source)}: it ${reason}`);
    await this.recordByAgent(agent, 'node.refuse', name, { agentId, reason });
  }

  private recordByAgent(agent: RegisteringAgent, action: AuditAction, target: string, details: Record<string, unknown>): Promise<void> {
    return this.audit.record({ accountId: agent.accountId, actor: `agent key ${agent.keyId}`, action, target, sourceAddress: agent.source, details });
  }

  async markDisconnected(accountId: string, agentId: string, attachment: Attachment): Promise<void> {
    this.announce((await this.nodes.markDisconnected(accountId, agentId, attachment)).map(toChange));
  }

  async rename(user: AuthUser, idOrName: string, name: string): Promise<NodeResponse> {
    const node = await this.find(user.accountId, idOrName);
    if (node.name !== name) {
      const renamed = await this.nodes.rename(user.accountId, node.id, name);
      if (renamed === 'taken') throw new AppException('conflict', `Another node is already named "${name}"; rename that one first, or pick another name`);
      if (renamed === 'missing') throw new AppException('not_found', `No node with id, name or id prefix "${idOrName}"`);
      await this.audit.recordBy(user, 'node.rename', `${name} (${node.id})`, { from: node.name, to: name });
    }
    return this.get(user.accountId, node.id);
  }

  /**
   * For a reinstalled machine: its node's credential stops holding, and the next machine to register as it claims it,
   * by its agent id or, with a new one, by the node's name.
   */
  async resetIdentity(user: AuthUser, idOrName: string): Promise<NodeResponse> {
    const node = await this.find(user.accountId, idOrName);
    await this.nodes.resetIdentity(user.accountId, node.id);
    await this.audit.recordBy(user, 'node.reset_identity', `${node.name} (${node.id})`, { agentId: node.agentId });
    return this.get(user.accountId, node.id);
  }

  /** Status changes found elsewhere (a metrics batch bringing nodes back) go out the same way. */
  announce(changes: NodeStatusChange[]): void {
    this.events.changed(changes);
  }

  /** The clusters domain says which nodes a cluster holds, for `?cluster=` (it depends on this domain, not the reverse). */
  useClusterMembers(members: ClusterMembers): void {
    this.clusterMembers = members;
  }

  async list(accountId: string, query: NodeListQuery): Promise<NodeListResponse> {
    const members = query.cluster ? ((await this.clusterMembers?.(accountId, query.cluster)) ?? []) : undefined;
    const [items, total] = await this.nodes.list(accountId, query, members);
    return { items: items.map(mapNode), total, limit: query.limit, offset: query.offset };
  }

  async get(accountId: string, idOrName: string): Promise<NodeResponse> {
    return mapNode(await this.find(accountId, idOrName));
  }

  /** The node by id; null when the account has none such. */
  async findById(accountId: string, id: string): Promise<NodeRecord | null> {
    const node = await this.nodes.findById(accountId, id);
    return node && toRecord(node);
  }

  /** The nodes of these ids that the account has, by name. */
  async findManyById(accountId: string, ids: string[]): Promise<NodeRecord[]> {
    return (await this.nodes.findManyById(accountId, ids)).map(toRecord);
  }

  /** Those of the nodes (of any account) that a command handed down now reaches. */
  async reachableAmong(ids: string[]): Promise<NodeRecord[]> {
    return (await this.nodes.findReachable(ids)).map(toRecord);
  }

  /** The node of an agent, as a midtier names it. */
  async findByAgentId(accountId: string, agentId: string): Promise<NodeRecord | null> {
    const node = await this.nodes.findByAgentId(accountId, agentId);
    return node && toRecord(node);
  }

  /** A node by id, by name, or by a unique prefix of its id (at least 4 characters); 404 or 409 otherwise. */
  async resolve(accountId: string, idOrName: string): Promise<NodeRecord> {
    return toRecord(await this.find(accountId, idOrName));
  }

  /** Locks a sample batch's nodes for its transaction; see NodeRepository.lockForSamples. */
  lockForSamples(tx: Transaction, accountId: string, carrierKeyId: string | null, agentIds: string[]): Promise<SampleTarget[]> {
    return this.nodes.lockForSamples(tx, accountId, carrierKeyId, agentIds);
  }

  /** Moves nodes' latest values forward; the caller announces what came online once the transaction commits. */
  async recordLatest(tx: Transaction, latest: LatestSample[]): Promise<{ cameOnline: NodeStatusChange[]; sampled: NodeSampledEvent[] }> {
    const { cameOnline, sampled } = await this.nodes.recordLatest(tx, latest);
    return { cameOnline: cameOnline.map(toChange), sampled };
  }

  gauges(): Promise<NodeGauge[]> {
    return this.nodes.gauges();
  }

  private async find(accountId: string, idOrName: string): Promise<NodeEntity> {
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
      this.announce(silent.map(toChange));
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
      this.announce(stale.map(toChange));
      return { offline: silent.length, pruned: stale.length };
    } catch (error) {
      this.logger.warn(`offline sweep failed: ${(error as Error).message}`);
      return { offline: 0, pruned: 0 };
    }
  }
}
