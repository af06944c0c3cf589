import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AuthUser } from '@thresh/server-auth';
import { AppException } from '@thresh/server-core';
import { NodeRecord, NodesService } from '@thresh/server-nodes';
import {
  AgentCommand,
  CommandKind,
  CommandListQuery,
  CommandListResponse,
  CommandPayload,
  CommandResponse,
  CommandUpdate,
  FINISHED_COMMAND_STATES,
  payloadWithoutSecrets,
} from '@thresh/protocol';
import { randomUUID } from 'node:crypto';
import { CommandEntity } from './command.entity';
import { CommandEvents } from './command-events';
import { CommandRepository } from './command.repository';

export const COMMANDS_OPTIONS = Symbol('COMMANDS_OPTIONS');

export interface CommandsOptions {
  /** How long a command waits for an offline node, unless its creator says otherwise. */
  defaultTtlSeconds: number;
  /** How often expired commands are timed out and overdue ones handed down again. */
  sweepIntervalMs: number;
  /** Days a finished command is kept (questions to nodes: one day). */
  retentionDays: number;
  /** A command handed down this long ago and not started goes again: the push may have fallen between two links. */
  redeliverAfterSeconds: number;
}

/** A node as commands reach it: its agent, through the carrier that holds it. */
export type NodeOnItsCarrier = Pick<NodeRecord, 'id' | 'agentId' | 'carrierKeyId'>;

/** How long a command may run once its node took it. */
const RUN_SECONDS: Record<CommandKind, number> = {
  'blueprints.list': 60,
  'environment.up': 30 * 60,
  'environment.list': 60,
  'environment.start': 5 * 60,
  'environment.stop': 5 * 60,
  'environment.destroy': 5 * 60,
  'stack.deploy': 30 * 60,
  'stack.stop': 10 * 60,
};

function mapCommand(command: CommandEntity): CommandResponse {
  return {
    id: command.id,
    nodeId: command.nodeId,
    nodeName: command.nodeName,
    kind: command.kind,
    payload: command.payload,
    state: command.state,
    steps: command.steps,
    output: command.output,
    result: command.result,
    error: command.error,
    createdBy: command.createdBy,
    createdAt: command.createdAt.toISOString(),
    dispatchedAt: command.dispatchedAt?.toISOString() ?? null,
    startedAt: command.startedAt?.toISOString() ?? null,
    finishedAt: command.finishedAt?.toISOString() ?? null,
    expiresAt: command.expiresAt.toISOString(),
  };
}

const toAgentCommand = (command: CommandEntity): AgentCommand => ({
  id: command.id,
  kind: command.kind,
  payload: command.payload as CommandPayload,
  deadline: command.deadline.toISOString(),
});

/**
 * Commands for nodes: stored first, then handed down through whichever midtier holds the node, again each time the
 * node registers, until the node starts them or they expire. The node's word on a command is accepted once.
 */
@Injectable()
export class CommandsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Commands');
  private timer?: NodeJS.Timeout;
  private cleanedAt = 0;
  private retained: () => Promise<string[]> = async () => [];

  constructor(
    private readonly commands: CommandRepository,
    private readonly events: CommandEvents,
    private readonly nodes: NodesService,
    private readonly audit: AuditService,
    @Inject(COMMANDS_OPTIONS) private readonly options: CommandsOptions,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Finished commands another domain still reads (a stack's latest) are kept past retention. */
  useRetained(retained: () => Promise<string[]>): void {
    this.retained = retained;
  }

  async create<K extends CommandKind>(user: AuthUser, node: NodeRecord, kind: K, payload: CommandPayload<K>, ttlSeconds?: number): Promise<CommandResponse> {
    const now = Date.now();
    const expiresAt = new Date(now + (ttlSeconds ?? this.options.defaultTtlSeconds) * 1000);
    const command = await this.commands.insert({
      id: randomUUID(),
      accountId: user.accountId,
      nodeId: node.id,
      nodeName: node.name,
      kind,
      payload: payload as Record<string, unknown>,
      createdBy: user.username,
      expiresAt,
      runSeconds: RUN_SECONDS[kind],
      deadline: new Date(expiresAt.getTime() + RUN_SECONDS[kind] * 1000),
    });
    if (kind !== 'blueprints.list' && kind !== 'environment.list') {
      await this.audit.recordBy(user, 'command.create', `${kind} on ${node.name}`, { commandId: command.id, payload: payloadWithoutSecrets(kind, payload as Record<string, unknown>) });
    }
    if (!node.reachable) return mapCommand(command);
    const [dispatched] = await this.handDown(user.accountId, node, [command]);
    return mapCommand(dispatched ?? (await this.find(user.accountId, command.id)));
  }

  async get(accountId: string, id: string): Promise<CommandResponse> {
    return mapCommand(await this.find(accountId, id));
  }

  /** Several commands in one query, by id; ids with no command are left out. */
  async getMany(accountId: string, ids: string[]): Promise<Map<string, CommandResponse>> {
    return new Map((await this.commands.findMany(accountId, ids)).map((command) => [command.id, mapCommand(command)]));
  }

  async list(accountId: string, query: CommandListQuery): Promise<CommandListResponse> {
    const nodeId = query.node ? (await this.nodes.resolve(accountId, query.node)).id : undefined;
    const [items, total] = await this.commands.list(accountId, { ...query, nodeId });
    return { items: items.map(mapCommand), total };
  }

  /**
   * A command that has not started is cancelled at once. One that runs is asked to stop on its node, and its node says
   * how it ended (cancelled, or finished before it could stop).
   */
  async cancel(user: AuthUser, id: string): Promise<CommandResponse> {
    const before = await this.find(user.accountId, id);
    if (FINISHED_COMMAND_STATES.includes(before.state)) {
      throw new AppException('conflict', `Command ${id} already ${before.state.replace('_', ' ')}; only a waiting or running command can be cancelled`);
    }
    const cancelled = (await this.commands.cancel(user.accountId, id, `Cancelled by ${user.username}`)) ?? (await this.find(user.accountId, id));
    if (cancelled.state === 'cancelled') this.events.finished(id);
    await this.tellAgentToStop(user.accountId, cancelled.nodeId, id);
    await this.audit.recordBy(user, 'command.cancel', `${cancelled.kind} on ${cancelled.nodeName}`, { commandId: id });
    return mapCommand(cancelled);
  }

  /** Waits up to `timeoutMs` for the command to finish; returns it as it then is. */
  async waitForOutcome(accountId: string, id: string, timeoutMs: number): Promise<CommandResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const command = await this.find(accountId, id);
      const left = deadline - Date.now();
      if (FINISHED_COMMAND_STATES.includes(command.state) || left <= 0) return mapCommand(command);
      // Another hub replica may record the outcome: look again now and then, whatever this one hears.
      await this.events.waitForFinish(id, Math.min(left, 1000));
    }
  }

  /** A node (re)registered or came back: hand down what waits for it. */
  async nodeAvailable(accountId: string, node: NodeOnItsCarrier): Promise<void> {
    await this.handDown(accountId, node, await this.commands.waitingFor(node.id));
  }

  /**
   * An agent's word on a command, through the carrier that holds its node (a midtier key, or null for the hub's own
   * gateway). `accepted` is false when the command already had its outcome.
   */
  async applyUpdate(accountId: string, agentId: string, carrierKeyId: string | null, update: CommandUpdate): Promise<{ accepted: boolean }> {
    const node = await this.nodes.findByAgentId(accountId, agentId);
    if (!node) throw new AppException('not_found', 'Unknown agent: register before reporting on commands');
    if (node.carrierKeyId !== carrierKeyId) throw new AppException('forbidden', `Node ${node.name} is not carried by this connection: register through it first`);
    const kind = await this.record(node.id, update);
    if (kind) this.events.progressed({ accountId, event: { commandId: update.commandId, kind, nodeName: node.name, state: update.state, step: update.step ?? null } });
    return { accepted: kind !== null };
  }

  /** Stores the update; the command's kind when it was taken. */
  private async record(nodeId: string, update: CommandUpdate): Promise<string | null> {
    if (update.state === 'running') return this.commands.markRunning(nodeId, update.commandId, update.step);
    const kind = await this.commands.finish(nodeId, update.commandId, {
      state: update.state,
      step: update.step,
      output: update.output ?? '',
      result: update.result ?? null,
      error: update.error ?? (update.state === 'failed' ? 'The command failed' : null),
    });
    if (kind) this.events.finished(update.commandId);
    return kind;
  }

  /** Times out what expired, hands down again what seems lost, forgets what is old. */
  async sweep(): Promise<void> {
    await this.timeOutExpired();
    await this.redeliverOverdue();
    if (Date.now() - this.cleanedAt > 3600_000) {
      this.cleanedAt = Date.now();
      await this.commands.deleteFinished(this.options.retentionDays, await this.retained()).catch((error: Error) => this.logger.warn(`could not forget old commands: ${error.message}`));
    }
  }

  async redeliverOverdue(): Promise<number> {
    try {
      const seconds = this.options.redeliverAfterSeconds;
      const reachable = new Map((await this.nodes.reachableAmong(await this.commands.nodesWithOverdue(seconds))).map((node) => [node.id, node]));
      const overdue = await this.commands.overdueOf([...reachable.keys()], seconds);
      const byNode = new Map<string, string[]>();
      for (const row of overdue) {
        const ids = byNode.get(row.node_id);
        if (ids) ids.push(row.id);
        else byNode.set(row.node_id, [row.id]);
      }
      for (const [nodeId, ids] of byNode) {
        const { accountId, agentId, carrierKeyId } = reachable.get(nodeId) as NodeRecord;
        for (const command of await this.commands.markDispatched(ids)) this.events.dispatch({ accountId, agentId, carrierKeyId, command: toAgentCommand(command) });
      }
      return overdue.length;
    } catch (error) {
      this.logger.warn(`command redelivery failed: ${(error as Error).message}`);
      return 0;
    }
  }

  async timeOutExpired(): Promise<number> {
    try {
      const expired = await this.commands.timeOut();
      for (const command of expired) {
        this.events.finished(command.id);
        if (command.state !== 'queued') await this.tellAgentToStop(command.account_id, command.node_id, command.id);
      }
      if (expired.length > 0) this.logger.log(`${expired.length} command(s) timed out`);
      return expired.length;
    } catch (error) {
      this.logger.warn(`command timeout sweep failed: ${(error as Error).message}`);
      return 0;
    }
  }

  /** The commands as dispatched; one finished or cancelled meanwhile is not sent. */
  private async handDown(accountId: string, node: NodeOnItsCarrier, commands: CommandEntity[]): Promise<CommandEntity[]> {
    if (commands.length === 0) return [];
    // Marked before sending, so an agent's quick "running" is never overtaken by "dispatched".
    const dispatched = await this.commands.markDispatched(commands.map((command) => command.id));
    for (const command of dispatched) this.events.dispatch({ accountId, agentId: node.agentId, carrierKeyId: node.carrierKeyId, command: toAgentCommand(command) });
    return dispatched;
  }

  private async tellAgentToStop(accountId: string, nodeId: string | null, commandId: string): Promise<void> {
    if (!nodeId) return;
    const node = await this.nodes.findById(accountId, nodeId);
    if (node) this.events.cancel({ accountId, agentId: node.agentId, carrierKeyId: node.carrierKeyId, commandId });
  }

  private async find(accountId: string, id: string): Promise<CommandEntity> {
    const command = /^[0-9a-f-]{36}$/i.test(id) ? await this.commands.findOne(accountId, id) : null;
    if (!command) throw new AppException('not_found', `No command with id "${id}"`);
    return command;
  }
}
