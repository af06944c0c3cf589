import { Injectable } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AuthUser } from '@thresh/server-auth';
import { CommandsService } from '@thresh/server-commands';
import { AppException } from '@thresh/server-core';
import { NodeEntity, NodesService } from '@thresh/server-nodes';
import {
  CommandResponse,
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
export class StacksService {
  constructor(
    private readonly stacks: StackRepository,
    private readonly commands: CommandsService,
    private readonly nodes: NodesService,
    private readonly audit: AuditService,
  ) {}

  async deploy(user: AuthUser, input: unknown): Promise<StackDeployResponse> {
    const parsed = parseStackDefinition(input);
    if (!parsed.ok) {
      const summary = parsed.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
      throw new AppException('validation_failed', `The stack definition has ${parsed.problems.length} problem(s): ${summary}`, parsed.problems);
    }
    const definition = parsed.stack;
    const previous = await this.stacks.findByName(user.accountId, definition.name);
    const node = await this.target(user.accountId, definition, previous);
    // Same node as before: only services whose definition changed (or that are new) are deployed again.
    const before = previous && previous.nodeId === node.id ? new Map(previous.definition.services.map((service) => [service.name, serviceKey(service)])) : new Map<string, string>();
    const changed = definition.services.filter((service) => before.get(service.name) !== serviceKey(service)).map((service) => service.name);
    const command = await this.commands.create(user, node, 'stack.deploy', {
      stack: definition.name,
      onFailure: definition.onFailure,
      services: payloadOf(definition),
      restart: changed,
    });
    const stack = await this.stacks.save({
      accountId: user.accountId,
      name: definition.name,
      status: 'deploying',
      definition,
      nodeId: node.id,
      nodeName: node.name,
      commandId: command.id,
      deployedBy: user.username,
    });
    await this.audit.record({
      accountId: user.accountId,
      actor: user.username,
      action: 'stack.deploy',
      target: definition.name,
      sourceAddress: user.sourceAddress,
      details: { node: node.name, commandId: command.id, changed },
    });
    return { id: stack.id, name: stack.name, status: 'deploying', node: node.name, commandId: command.id, changed };
  }

  async list(accountId: string): Promise<StackSummary[]> {
    return Promise.all(
      (await this.stacks.list(accountId)).map(async (stack) => {
        const view = viewOf(stack, await this.latestCommand(accountId, stack));
        return {
          ...summaryOf(stack, view),
          services: view.services.length,
          healthy: view.services.filter((service) => service.status === 'healthy').length,
        };
      }),
    );
  }

  async get(accountId: string, name: string): Promise<StackResponse> {
    const stack = await this.find(accountId, name);
    const view = viewOf(stack, await this.latestCommand(accountId, stack));
    return {
      ...summaryOf(stack, view),
      onFailure: stack.definition.onFailure,
      deployedBy: stack.deployedBy,
      commandId: stack.commandId,
      error: view.error,
      services: view.services,
      definition: stack.definition as unknown as Record<string, unknown>,
    };
  }

  /** Stops every service in reverse dependency order; the stack stays, to be deployed again. */
  async stop(user: AuthUser, name: string): Promise<StackResponse> {
    const stack = await this.find(user.accountId, name);
    await this.sendStop(user, stack, false);
    await this.audit.record({ accountId: user.accountId, actor: user.username, action: 'stack.stop', target: name, sourceAddress: user.sourceAddress });
    return this.get(user.accountId, name);
  }

  /** Forgets the stack: its services are stopped, or with `destroy` removed with their volumes. */
  async delete(user: AuthUser, name: string, destroy: boolean): Promise<{ commandId: string | null }> {
    const stack = await this.find(user.accountId, name);
    const command = await this.sendStop(user, stack, destroy);
    await this.stacks.delete(stack.id);
    await this.audit.record({ accountId: user.accountId, actor: user.username, action: 'stack.delete', target: name, sourceAddress: user.sourceAddress, details: { destroy } });
    return { commandId: command?.id ?? null };
  }

  private async sendStop(user: AuthUser, stack: StackEntity, destroy: boolean): Promise<CommandResponse | null> {
    const node = stack.nodeId ? await this.nodes.findById(user.accountId, stack.nodeId) : null;
    if (!node) return null;
    const created = await this.commands.create(user, node, 'stack.stop', { stack: stack.name, services: payloadOf(stack.definition), destroy });
    await this.stacks.setCommand(stack.id, created.id, stack.status);
    return this.commands.get(user.accountId, created.id);
  }

  /** The node named, else the online node of the cluster named (or of the account) with the most headroom. */
  private async target(accountId: string, definition: StackDefinition, previous: StackEntity | null): Promise<NodeEntity> {
    if (definition.targetNode) return this.nodes.resolve(accountId, definition.targetNode);
    if (!definition.targetCluster && previous?.nodeId) {
      const before = await this.nodes.findById(accountId, previous.nodeId);
      if (before) return before;
    }
    const candidates = await this.nodes.list(accountId, { status: 'online', sort: 'cpu', order: 'asc', limit: 100, offset: 0, ...(definition.targetCluster ? { cluster: definition.targetCluster } : {}) });
    // A node that has not reported yet sorts first by CPU, but its headroom is unknown: measured nodes go first.
    const choice = candidates.items.find((node) => node.cpuPercent !== null) ?? candidates.items[0];
    if (!choice) {
      throw new AppException('conflict', definition.targetCluster ? `No online node in cluster "${definition.targetCluster}" to deploy on` : 'No online node to deploy on');
    }
    return this.nodes.resolve(accountId, choice.id);
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
