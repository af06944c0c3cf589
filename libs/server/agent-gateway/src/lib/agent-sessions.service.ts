import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { TIMEOUT_LADDER } from '@thresh/agent-wire';
import { AppException } from '@thresh/server-core';
import { AGENT_SESSION_HEADER, AgentCommand, AgentIdentity, AgentPollResponse, AgentToMidtierEvents, MidtierToAgentEvents } from '@thresh/protocol';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { AGENT_GATEWAY_OPTIONS, AgentGatewayOptions } from './agent-gateway.options';
import { AgentUplink } from './agent-uplink';

export interface AgentSocketData {
  identity: AgentIdentity;
  /** The key the socket authenticated with: the hub checks it again with each registration. */
  key: string;
  /** Set once the hub accepted the socket's registration, never before: until then it speaks for no node. */
  agentId?: string;
  /** A registration of this socket is waiting for the hub. */
  registering?: boolean;
  /** A report is waiting for the hub: an agent sends one at a time, so a flood from one socket cannot fill the queue. */
  reporting?: boolean;
}
export type AgentSocket = Socket<AgentToMidtierEvents, MidtierToAgentEvents, Record<string, never>, AgentSocketData>;

/** An agent that polls over HTTP: what waits for it, and when it was last heard from. */
export interface RestSession {
  identity: AgentIdentity;
  agentId: string;
  connectionId: string;
  /** Given with the registration that opened the session; every later request of the session names it. */
  token: string;
  /** Opened for a node that holds no credential (an agent from before them): its requests need not name the token. */
  claimable: boolean;
  lastSeen: number;
  commands: AgentCommand[];
  cancelled: string[];
  reporting: boolean;
  /** Ends the poll under way, if one is waiting. */
  wake?: () => void;
}

/**
 * Commands for an agent whose registration is waiting for the hub: they also go to the connection it has now, and to the
 * new one only once the hub accepted it (a refused claimant gets nothing).
 */
export interface PendingRegistration {
  commands: AgentCommand[];
  cancelled: string[];
}

/** More than any agent has waiting at once: beyond it, the oldest go (the hub hands them down again when overdue). */
const MAX_WAITING_PER_AGENT = 100;

const sameToken = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Agents are told apart by account as well: one gateway may serve several accounts (the hub's does). */
const keyOf = (accountId: string, agentId: string) => `${accountId}/${agentId}`;

/** The room of an agent's socket, so a replica that does not hold it can still reach it through the adapter. */
export const agentRoom = (accountId: string, agentId: string) => `agent:${keyOf(accountId, agentId)}`;

/** What one replica tells the others about an agent it does not hold. */
interface ForwardedCommand {
  accountId: string;
  agentId: string;
  command?: AgentCommand;
  cancelled?: string;
}

/**
 * Every agent this gateway holds, over a socket or by polling: commands from above go to the one holding the agent,
 * and a REST agent that falls silent has its session closed like a dropped socket.
 */
@Injectable()
export class AgentSessions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AgentSessions');
  private readonly sockets = new Map<string, AgentSocket>();
  private readonly polling = new Map<string, RestSession>();
  private readonly pending = new Map<string, Set<PendingRegistration>>();
  private sweeper?: NodeJS.Timeout;
  private namespace?: Namespace;

  constructor(
    private readonly uplink: AgentUplink,
    @Inject(AGENT_GATEWAY_OPTIONS) private readonly options: AgentGatewayOptions,
  ) {
    uplink.events.on('command:dispatch', ({ accountId, agentId, command }) => this.deliver(accountId, agentId, command));
    uplink.events.on('command:cancel', ({ accountId, agentId, commandId }) => this.cancel(accountId, agentId, commandId));
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => this.closeSilent(), Math.min(TIMEOUT_LADDER.restSessionSweepMs, (this.options.restSessionSeconds * 1000) / 3)).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    for (const session of this.polling.values()) session.wake?.();
  }

  /** The agents' namespace: with replicas, what this one does not hold goes to the others through it. */
  useNamespace(namespace: Namespace): void {
    this.namespace = namespace;
    if (!this.options.replicated) return;
    // serverSideEmit arrives on the other replicas' namespaces only.
    (namespace as unknown as { on(event: string, listener: (message: ForwardedCommand) => void): void }).on('polling:forward', (message) => {
      const session = this.polling.get(keyOf(message.accountId, message.agentId));
      if (!session) return;
      if (message.command) this.deliver(message.accountId, message.agentId, message.command, false);
      if (message.cancelled) this.cancel(message.accountId, message.agentId, message.cancelled, false);
    });
  }

  get connectedAgents(): { socket: number; rest: number } {
    return { socket: this.sockets.size, rest: this.polling.size };
  }

  /** From now until `end`, commands for the agent are also kept for the registration under way. */
  beginRegistration(identity: AgentIdentity, agentId: string): PendingRegistration & { end(): void } {
    const key = keyOf(identity.accountId, agentId);
    const waiting = this.pending.get(key) ?? new Set<PendingRegistration>();
    this.pending.set(key, waiting);
    const registration = {
      commands: [] as AgentCommand[],
      cancelled: [] as string[],
      end: () => {
        waiting.delete(registration);
        if (waiting.size === 0 && this.pending.get(key) === waiting) this.pending.delete(key);
      },
    };
    waiting.add(registration);
    return registration;
  }

  /** The hub accepted the socket's registration: it serves the agent now; a polling session it had is closed quietly. */
  attachSocket(identity: AgentIdentity, agentId: string, socket: AgentSocket, registration: PendingRegistration): void {
    const key = keyOf(identity.accountId, agentId);
    this.sockets.set(key, socket);
    void socket.join(agentRoom(identity.accountId, agentId));
    this.dropPolling(key);
    for (const command of registration.commands) socket.emit('command:run', command);
    for (const commandId of registration.cancelled) socket.emit('command:cancel', { commandId });
  }

  /** True when the socket still served the agent: its node is disconnected then. */
  detachSocket(identity: AgentIdentity, agentId: string, socket: AgentSocket): boolean {
    const key = keyOf(identity.accountId, agentId);
    if (this.sockets.get(key) !== socket) return false;
    this.sockets.delete(key);
    return true;
  }

  /** A connection id for a polling session about to register: the hub records it with the node. */
  newPollingConnectionId(): string {
    return `rest-${randomUUID()}`;
  }

  /** The hub accepted the registration: a new polling session for the agent, replacing any it had. */
  openPolling(identity: AgentIdentity, agentId: string, connectionId: string, claimable: boolean, registration: PendingRegistration): RestSession {
    const key = keyOf(identity.accountId, agentId);
    this.dropPolling(key);
    const session: RestSession = {
      identity,
      agentId,
      connectionId,
      token: randomBytes(24).toString('base64url'),
      claimable,
      lastSeen: Date.now(),
      commands: [...registration.commands],
      cancelled: [...registration.cancelled],
      reporting: false,
    };
    this.polling.set(key, session);
    return session;
  }

  /**
   * The agent's polling session, as of now, if the request names it: 409 not_registered when it has none, 403 when the
   * token is not the session's (another machine naming this agent id).
   */
  pollingSession(identity: AgentIdentity, agentId: string, token: string | undefined): RestSession {
    const session = this.polling.get(keyOf(identity.accountId, agentId));
    if (!session) {
      throw new AppException('not_registered', `Agent ${agentId} has no session here (never registered, or silent for over ${this.options.restSessionSeconds}s): register again`);
    }
    if (!(token === undefined ? session.claimable : sameToken(token, session.token))) {
      throw new AppException('forbidden', `This request does not name agent ${agentId}'s session (header ${AGENT_SESSION_HEADER}): register to open one`);
    }
    session.lastSeen = Date.now();
    return session;
  }

  /** What waits for the agent, at once or as soon as something comes within `waitSeconds`; `gone` is its hang-up. */
  async poll(session: RestSession, waitSeconds: number, gone: AbortSignal): Promise<AgentPollResponse> {
    if (session.commands.length === 0 && session.cancelled.length === 0 && waitSeconds > 0) {
      session.wake?.();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => finish(), waitSeconds * 1000);
        const finish = () => {
          clearTimeout(timer);
          gone.removeEventListener('abort', finish);
          if (session.wake === finish) session.wake = undefined;
          resolve();
        };
        session.wake = finish;
        gone.addEventListener('abort', finish, { once: true });
      });
    }
    session.lastSeen = Date.now();
    // The agent hung up: what waits for it stays for its next poll.
    if (gone.aborted) return { commands: [], cancelled: [] };
    const answer = { commands: session.commands, cancelled: session.cancelled };
    session.commands = [];
    session.cancelled = [];
    return answer;
  }

  /** The agent stops polling: its node is disconnected now rather than after the session timeout. */
  closePolling(session: RestSession): void {
    const key = keyOf(session.identity.accountId, session.agentId);
    if (this.polling.get(key) !== session) return;
    this.dropPolling(key);
    this.uplink.nodeDisconnected(session.identity, session.agentId, session.connectionId);
  }

  private deliver(accountId: string, agentId: string, command: AgentCommand, forward = true): void {
    const key = keyOf(accountId, agentId);
    for (const registration of this.pending.get(key) ?? []) if (registration.commands.length < MAX_WAITING_PER_AGENT) registration.commands.push(command);
    const socket = this.sockets.get(key);
    if (socket) {
      socket.emit('command:run', command);
      return;
    }
    const session = this.polling.get(key);
    if (!session) {
      if (forward) this.forward({ accountId, agentId, command }, () => this.namespace?.to(agentRoom(accountId, agentId)).emit('command:run', command));
      return;
    }
    session.commands = [...session.commands.filter((waiting) => waiting.id !== command.id), command].slice(-MAX_WAITING_PER_AGENT);
    session.wake?.();
  }

  private cancel(accountId: string, agentId: string, commandId: string, forward = true): void {
    const key = keyOf(accountId, agentId);
    for (const registration of this.pending.get(key) ?? []) if (registration.cancelled.length < MAX_WAITING_PER_AGENT) registration.cancelled.push(commandId);
    const socket = this.sockets.get(key);
    if (socket) {
      socket.emit('command:cancel', { commandId });
      return;
    }
    const session = this.polling.get(key);
    if (!session) {
      if (forward) this.forward({ accountId, agentId, cancelled: commandId }, () => this.namespace?.to(agentRoom(accountId, agentId)).emit('command:cancel', { commandId }));
      return;
    }
    session.commands = session.commands.filter((waiting) => waiting.id !== commandId);
    session.cancelled = [...new Set([...session.cancelled, commandId])].slice(-MAX_WAITING_PER_AGENT);
    session.wake?.();
  }

  /** An agent this replica does not hold: its socket, on another replica, is in its room; a polling one hears a forward. */
  private forward(message: ForwardedCommand, toSocket: () => void): void {
    if (!this.options.replicated || !this.namespace) return;
    toSocket();
    (this.namespace as unknown as { serverSideEmit(event: string, message: ForwardedCommand): void }).serverSideEmit('polling:forward', message);
  }

  private dropPolling(key: string): void {
    const session = this.polling.get(key);
    if (!session) return;
    this.polling.delete(key);
    session.wake?.();
  }

  private closeSilent(): void {
    const before = Date.now() - this.options.restSessionSeconds * 1000;
    for (const [key, session] of this.polling) {
      // A poll under way counts as being heard from.
      if (session.lastSeen >= before || session.wake) continue;
      this.polling.delete(key);
      this.logger.log(`agent ${session.agentId} stopped polling; its node is disconnected`);
      this.uplink.nodeDisconnected(session.identity, session.agentId, session.connectionId);
    }
  }
}
