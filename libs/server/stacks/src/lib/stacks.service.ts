import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AuthUser } from '@thresh/server-auth';
import { CommandsService } from '@thresh/server-commands';
import { AppException } from '@thresh/server-core';
import { NodeRecord, NodesService } from '@thresh/server-nodes';
import {
  CommandResponse,
  FINISHED_COMMAND_STATES,
  parseStackDefinition,
  resolveReferences,
  StackDefinition,
  StackDeployResponse,
  stackEnvironmentName,
  StackResponse,
  StackService,
  StackServicePayload,
  StackServiceResponse,
  StackServiceState,
  StackStatus,
  StackSummary,
  withHiddenEnv,
} from '@thresh/protocol';
import { StackEntity } from './stack.entity';
import { StackRepository } from './stack.repository';

interface StackView {
  status: StackStatus;
  services: StackServiceResponse[];
  error: string | null;
}

/** A service's definition as text with its keys sorted: PostgreSQL's jsonb does not keep key order. */
const serviceKey = (service: StackService): string =>
  JSON.stringify(service, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value,
  );

/** Where each service of a stack is reached from the others: all run on one node, so on its loopback. */
function payloadOf(stack: StackDefinition): StackServicePayload[] {
  const addresses = Object.fromEntries(stack.services.map((service) => [service.name, { host: '127.0.0.1', port: service.ports[0] }]));
  return stack.services.map((service) => ({
    name: service.name,
    environment: stackEnvironmentName(stack.name, service.name),
    ...(service.image ? { image: service.image } : {}),
    ...(service.command ? { command: service.command } : {}),
    env: Object.fromEntries(Object.entries(service.env).map(([variable, value]) => [variable, resolveReferences(value, addresses)])),
    ports: service.ports,
    volumes: service.volumes,
    dependsOn: service.dependsOn,
    ...(service.healthcheck ? { healthcheck: service.healthcheck } : {}),
    restart: service.restart,
  }));
}

const isUnfinished = (command: CommandResponse | null): command is CommandResponse => command !== null && !(FINISHED_COMMAND_STATES as readonly string[]).includes(command.state);

/** A stack's state, read from its latest command: its steps while it runs, its result once it ended. */
function viewOf(stack: StackEntity, command: CommandResponse | null): StackView {
  const pending = (name: string): StackServiceResponse => ({ name, status: 'pending', node: stack.nodeName, startedAt: null, healthyAt: null, error: null });
  const services = new Map(stack.definition.services.map((service) => [service.name, pending(service.name)]));
  if (!command) return { status: stack.status, services: [...services.values()], error: null };
  const reported = (command.result as { services?: StackServiceState[] } | null)?.services;
  if (reported) {
    for (const state of reported) services.set(state.name, { ...pending(state.name), status: state.status, startedAt: state.startedAt, healthyAt: state.healthyAt, error: state.error });
  } else {
    for (const step of command.steps) {
      const name = step.name.startsWith('service:') ? step.name.slice('service:'.length) : null;
      const service = name ? services.get(name) : undefined;
      if (!service) continue;
      // A stop's steps say a service is stopping, then stopped.
      if (step.status === 'started' && command.kind === 'stack.deploy') Object.assign(service, { status: 'deploying', startedAt: step.at });
      if (step.status === 'done') Object.assign(service, command.kind === 'stack.deploy' ? { status: 'healthy', healthyAt: step.at } : { status: 'stopped' });
      if (step.status === 'failed') Object.assign(service, { status: 'error', error: step.message ?? 'failed' });
    }
  }
  const list = [...services.values()];
  const stopping = command.kind === 'stack.stop';
  if (command.state === 'queued' || command.state === 'dispatched' || command.state === 'running') {
    // While a stop runs, some services are down and some not yet: degraded until it is done.
    return { status: stopping ? 'degraded' : 'deploying', services: list, error: null };
  }
  if (stopping) return { status: command.state === 'succeeded' ? 'stopped' : 'degraded', services: list, error: command.error };
  if (command.state === 'succeeded') return { status: 'running', services: list, error: null };
  const healthy = list.some((service) => service.status === 'healthy');
  return { status: healthy ? 'degraded' : 'failed', services: list, error: command.error };
}

/** What a stack's list entry and its full view share. */
function summaryOf(stack: StackEntity, view: StackView): Omit<StackSummary, 'services' | 'healthy'> {
  return {
    id: stack.id,
    name: stack.name,
    status: view.status,
    node: stack.nodeName,
    createdAt: stack.createdAt.toISOString(),
    updatedAt: stack.updatedAt.toISOString(),
  };
}

/**
 * Multi-service deployments: validated whole before anything starts, handed to one node as one command, whose steps
 * and outcome say how each service fares.
 */
@Injectable()
export class StacksService implements OnModuleInit {
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly stacks: StackRepository,
    private readonly commands: CommandsService,
    private readonly nodes: NodesService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    // A stack's latest command is where its status is read from.
    this.commands.useRetained(() => this.stacks.commandIds());
  }

  async deploy(user: AuthUser, input: unknown): Promise<StackDeployResponse> {
    const parsed = parseStackDefinition(input);
    if (!parsed.ok) {
      const summary = parsed.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
      throw new AppException('validation_failed', `The stack definition has ${parsed.problems.length} problem(s): ${summary}`, parsed.problems);
    }
    const definition = parsed.stack;
    return this.oneAtATime(user.accountId, definition.name, async () => {
      const previous = await this.stacks.findByName(user.accountId, definition.name);
      if (previous) await this.ensureIdle(user.accountId, previous);
      const node = await this.target(user.accountId, definition, previous);
      const moved = previous?.nodeId && previous.nodeId !== node.id ? previous : null;
      // Same node as before: only services whose definition changed (or that are new) are deployed again.
      const before = previous && !moved ? new Map(previous.definition.services.map((service) => [service.name, serviceKey(service)])) : new Map<string, string>();
      const changed = definition.services.filter((service) => before.get(service.name) !== serviceKey(service)).map((service) => service.name);
      // A stack that moves leaves nothing behind: its old copy is stopped, volumes kept, should it move back.
      const leftBehind = moved ? await this.sendStop(user, moved, false) : null;
      const command = await this.commands.create(user, node, 'stack.deploy', { stack: definition.name, onFailure: definition.onFailure, services: payloadOf(definition) });
      const latest = leftBehind?.id ?? previous?.commandId;
      const stack = await this.stacks.saveIfLatest(
        { accountId: user.accountId, name: definition.name, status: 'deploying', definition, nodeId: node.id, nodeName: node.name, commandId: command.id, deployedBy: user.username },
        previous ? (latest ?? null) : undefined,
      );
      if (!stack) await this.withdraw(user, command.id, definition.name);
      await this.audit.recordBy(user, 'stack.deploy', definition.name, { node: node.name, commandId: command.id, changed, ...(moved ? { movedFrom: moved.nodeName, stopCommandId: leftBehind?.id ?? null } : {}) });
      return { id: (stack as StackEntity).id, name: definition.name, status: 'deploying', node: node.name, commandId: command.id, changed };
    });
  }

  async list(accountId: string): Promise<StackSummary[]> {
    const stacks = await this.stacks.list(accountId);
    const commands = await this.commands.getMany(accountId, stacks.flatMap((stack) => (stack.commandId ? [stack.commandId] : [])));
    return stacks.map((stack) => {
      const view = viewOf(stack, (stack.commandId && commands.get(stack.commandId)) || null);
      return {
        ...summaryOf(stack, view),
        services: view.services.length,
        healthy: view.services.filter((service) => service.status === 'healthy').length,
      };
    });
  }

  /** One stack; a viewer sees its services' environment values hidden, as they often hold secrets. */
  async get(user: Pick<AuthUser, 'accountId' | 'role'>, name: string): Promise<StackResponse> {
    const stack = await this.find(user.accountId, name);
    const view = viewOf(stack, await this.latestCommand(user.accountId, stack));
    const definition = user.role === 'viewer' ? { ...stack.definition, services: withHiddenEnv(stack.definition.services) } : stack.definition;
    return {
      ...summaryOf(stack, view),
      onFailure: stack.definition.onFailure,
      deployedBy: stack.deployedBy,
      commandId: stack.commandId,
      error: view.error,
      services: view.services,
      definition: definition as unknown as Record<string, unknown>,
    };
  }

  /** Stops every service in reverse dependency order; the stack stays, to be deployed again. */
  async stop(user: AuthUser, name: string): Promise<StackResponse> {
    await this.oneAtATime(user.accountId, name, async () => {
      const stack = await this.find(user.accountId, name);
      await this.ensureIdle(user.accountId, stack);
      if (!(await this.sendStop(user, stack, false))) {
        throw new AppException('conflict', `Stack "${name}" ran on a node that no longer exists: nothing to stop; delete the stack, or deploy it again elsewhere`);
      }
    });
    await this.audit.recordBy(user, 'stack.stop', name);
    return this.get(user, name);
  }

  /** Forgets the stack: its services are stopped, or with `destroy` removed with their volumes. */
  async delete(user: AuthUser, name: string, destroy: boolean): Promise<{ commandId: string | null }> {
    // No wait for a deploy under way: its node runs the stop after it, and the stack is gone either way.
    const command = await this.oneAtATime(user.accountId, name, async () => {
      const stack = await this.find(user.accountId, name);
      const stop = await this.sendStop(user, stack, destroy);
      await this.stacks.delete(stack.id);
      return stop;
    });
    await this.audit.recordBy(user, 'stack.delete', name, { destroy });
    return { commandId: command?.id ?? null };
  }

  private async sendStop(user: AuthUser, stack: StackEntity, destroy: boolean): Promise<CommandResponse | null> {
    const node = stack.nodeId ? await this.nodes.findById(user.accountId, stack.nodeId) : null;
    if (!node) return null;
    const created = await this.commands.create(user, node, 'stack.stop', { stack: stack.name, services: payloadOf(stack.definition), destroy });
    if (!(await this.stacks.setCommandIfLatest(stack.id, created.id, stack.commandId))) await this.withdraw(user, created.id, stack.name);
    return this.commands.get(user.accountId, created.id);
  }

  /** Another hub replica changed the stack between our reading it and our command: ours is cancelled, the caller told. */
  private async withdraw(user: AuthUser, commandId: string, name: string): Promise<never> {
    await this.commands.cancel(user, commandId).catch(() => undefined);
    throw new AppException('conflict', `Stack "${name}" was deployed or stopped by someone else meanwhile; look at it and try again`);
  }

  /**
   * The node named, else the node the stack runs on (while it is online and, given a cluster, in it), else the online
   * node of the cluster named (or of the account) with the most headroom.
   */
  private async target(accountId: string, definition: StackDefinition, previous: StackEntity | null): Promise<NodeRecord> {
    if (definition.targetNode) return this.nodes.resolve(accountId, definition.targetNode);
    if (!definition.targetCluster && previous?.nodeId) {
      const before = await this.nodes.findById(accountId, previous.nodeId);
      if (before?.status === 'online') return before;
    }
    const candidates = await this.nodes.list(accountId, { status: 'online', sort: 'cpu', order: 'asc', limit: 100, offset: 0, ...(definition.targetCluster ? { cluster: definition.targetCluster } : {}) });
    // A node that has not reported yet sorts first by CPU, but its headroom is unknown: measured nodes go first.
    const choice =
      candidates.items.find((node) => node.id === previous?.nodeId) ?? candidates.items.find((node) => node.cpuPercent !== null) ?? candidates.items[0];
    if (!choice) {
      throw new AppException('conflict', definition.targetCluster ? `No online node in cluster "${definition.targetCluster}" to deploy on` : 'No online node to deploy on');
    }
    return this.nodes.resolve(accountId, choice.id);
  }

  /**
   * Deploys, stops and deletes of one stack take turns here: two at once would both read the same previous state.
   * Across hub replicas, the compare-and-set on the stack's latest command catches what this cannot.
   */
  private async oneAtATime<T>(accountId: string, name: string, run: () => Promise<T>): Promise<T> {
    const key = `${accountId}/${name}`;
    const previous = this.turns.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(run);
    this.turns.set(key, current);
    try {
      return await current;
    } finally {
      if (this.turns.get(key) === current) this.turns.delete(key);
    }
  }

  /** A deploy or stop waits for the stack's previous one to end on its node: they would undo each other. */
  private async ensureIdle(accountId: string, stack: StackEntity): Promise<void> {
    const latest = await this.latestCommand(accountId, stack);
    if (isUnfinished(latest)) {
      throw new AppException('conflict', `Stack "${stack.name}" is busy: its ${latest.kind} ${latest.id} is ${latest.state}; wait for it, or cancel it with thresh command cancel ${latest.id}`);
    }
  }

  private async latestCommand(accountId: string, stack: StackEntity): Promise<CommandResponse | null> {
    return stack.commandId ? this.commands.get(accountId, stack.commandId).catch(() => null) : null;
  }

  private async find(accountId: string, name: string): Promise<StackEntity> {
    const stack = await this.stacks.findByName(accountId, name);
    if (!stack) throw new AppException('not_found', `No stack named "${name}"`);
    return stack;
  }
}
