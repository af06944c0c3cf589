import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { AppException, handleWithAck, toConnectError } from '@thresh/server-core';
import {
  Ack,
  AGENT_NAMESPACE,
  AgentIdentity,
  agentRegistrationSchema,
  AgentCommand,
  AgentToMidtierEvents,
  commandUpdateSchema,
  MAX_SOCKET_MESSAGE_BYTES,
  metricsReportSchema,
  MidtierToAgentEvents,
  RegisteredNode,
} from '@thresh/protocol';
import type { Namespace, Socket } from 'socket.io';
import { HubLinkService } from '../hub-link/hub-link.service';
import { AgentAuthService } from './agent-auth.service';
import { MetricsBatcherService } from './metrics-batcher.service';

interface AgentSocketData {
  identity: AgentIdentity;
  agentId?: string;
  /** A report is waiting for the hub: an agent sends one at a time, so a flood from one socket cannot fill the queue. */
  reporting?: boolean;
}
type AgentSocket = Socket<AgentToMidtierEvents, MidtierToAgentEvents, Record<string, never>, AgentSocketData>;

/** Agents connect here with a thresh_live_ key. */
@WebSocketGateway({ namespace: AGENT_NAMESPACE, pingInterval: 25_000, pingTimeout: 20_000, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES })
export class AgentsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(AgentsGateway.name);
  private namespace?: Namespace;
  /** The registered connection of each agent: commands from the hub are for one agent id. */
  private readonly agents = new Map<string, AgentSocket>();

  constructor(
    private readonly auth: AgentAuthService,
    private readonly hub: HubLinkService,
    private readonly metrics: MetricsBatcherService,
  ) {
    hub.events.on('key:revoked', (keyId: string) => this.disconnectKey(keyId));
    // The hub tells every midtier of the account; only the one holding the agent has it in its map.
    hub.events.on('command:dispatch', ({ agentId, command }: { agentId: string; command: AgentCommand }) => this.agents.get(agentId)?.emit('command:run', command));
    hub.events.on('command:cancel', ({ agentId, commandId }: { agentId: string; commandId: string }) => this.agents.get(agentId)?.emit('command:cancel', { commandId }));
  }

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
      this.auth
        .authenticate(socket.handshake.auth?.['key'], socket.handshake.address)
        .then((identity) => {
          socket.data.identity = identity;
          next();
        })
        .catch((error: unknown) => next(toConnectError(error)));
    });
  }

  get connectedAgents(): number {
    return this.namespace?.sockets.size ?? 0;
  }

  handleConnection(): void {
    // Registration follows in agent:register; nothing to do before it.
  }

  handleDisconnect(socket: AgentSocket): void {
    const agentId = socket.data.agentId;
    if (!agentId) return;
    if (this.agents.get(agentId) === socket) this.agents.delete(agentId);
    this.hub.notify('node:disconnected', { agentId, connectionId: socket.id });
  }

  @SubscribeMessage('agent:register')
  register(@ConnectedSocket() socket: AgentSocket, @MessageBody() payload: unknown): Promise<Ack<RegisteredNode>> {
    return handleWithAck(agentRegistrationSchema, payload, async (registration) => {
      if (socket.data.agentId && socket.data.agentId !== registration.agentId) {
        throw new AppException('forbidden', 'One connection serves one agent; reconnect to register another agent id');
      }
      // Set before the round trip, so a disconnect during it still tells the hub, and commands sent after it arrive.
      socket.data.agentId = registration.agentId;
      this.agents.set(registration.agentId, socket);
      const result = await this.hub.request('node:register', {
        keyId: socket.data.identity.keyId,
        connectionId: socket.id,
        registration,
      });
      if (!result.ok) throw new AppException(result.error.code, result.error.message);
      if (socket.disconnected) this.hub.notify('node:disconnected', { agentId: registration.agentId, connectionId: socket.id });
      this.logger.debug(`agent ${registration.agentId} registered as ${result.nodeName}`);
      return { nodeId: result.nodeId, nodeName: result.nodeName, lastSeq: result.lastSeq };
    });
  }

  @SubscribeMessage('metrics:report')
  report(@ConnectedSocket() socket: AgentSocket, @MessageBody() payload: unknown): Promise<Ack<{ accepted: number }>> {
    return handleWithAck(metricsReportSchema, payload, async (report) => {
      if (report.agentId !== socket.data.agentId) {
        throw new AppException('forbidden', 'Register before reporting, and only for your own agent id');
      }
      if (socket.data.reporting) throw new AppException('conflict', 'A report from this connection is still being stored; wait for its acknowledgement');
      socket.data.reporting = true;
      try {
        await this.metrics.submit(report.agentId, report.samples);
      } finally {
        socket.data.reporting = false;
      }
      return { accepted: report.samples.length };
    });
  }

  @SubscribeMessage('command:update')
  commandUpdate(@ConnectedSocket() socket: AgentSocket, @MessageBody() payload: unknown): Promise<Ack<{ accepted: boolean }>> {
    return handleWithAck(commandUpdateSchema, payload, async (update) => {
      const agentId = socket.data.agentId;
      if (!agentId) throw new AppException('forbidden', 'Register before reporting on commands');
      const result = await this.hub.request('command:update', { agentId, update });
      if (!result.ok) throw new AppException(result.error.code, result.error.message);
      return { accepted: result.accepted };
    });
  }

  private disconnectKey(keyId: string): void {
    for (const socket of this.namespace?.sockets.values() ?? []) {
      if ((socket.data as AgentSocketData).identity?.keyId === keyId) socket.disconnect(true);
    }
  }
}
