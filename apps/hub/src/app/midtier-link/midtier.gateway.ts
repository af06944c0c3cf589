import { Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { CredentialEvents, CredentialsService, VerifiedCredential } from '@thresh/server-auth';
import { accountRoom, AppException, handleWithAck, keyRoom, toConnectError } from '@thresh/server-core';
import { MetricsService } from '@thresh/server-metrics';
import {
  Ack,
  AgentIdentity,
  agentAuthRequestSchema,
  metricsBatchSchema,
  HubToMidtierEvents,
  MIDTIER_NAMESPACE,
  MidtierToHubEvents,
  midtierNodeRegistrationSchema,
  nodeDisconnectedSchema,
  RegisteredNode,
  MAX_SOCKET_MESSAGE_BYTES,
  agentCommandUpdateSchema,
} from '@thresh/protocol';
import { CommandEvents } from '@thresh/server-commands';
import { AgentTraffic } from '../agent-link/agent-traffic.service';
import type { Namespace, Socket } from 'socket.io';

type MidtierSocket = Socket<MidtierToHubEvents, HubToMidtierEvents, Record<string, never>, { midtier: VerifiedCredential }>;

/** Mid-tiers connect here with a thresh_mid_ key and relay their agents' traffic. */
// Gateways on one port share one server: each names the same message limit, so none depends on which starts first.
@WebSocketGateway({ namespace: MIDTIER_NAMESPACE, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES })
export class MidtierGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(MidtierGateway.name);
  private readonly connectedMidtiers = this.metrics.gauge('thresh_hub_midtiers_connected', 'Mid-tiers connected now');

  private readonly stopListening: (() => void)[] = [];

  constructor(
    private readonly credentials: CredentialsService,
    private readonly credentialEvents: CredentialEvents,
    private readonly metrics: MetricsService,
    private readonly commandEvents: CommandEvents,
    private readonly traffic: AgentTraffic,
  ) {}

  afterInit(namespace: Namespace): void {
    // A revoked key: its own mid-tier connections close, and the account's mid-tiers drop agents using it.
    this.stopListening.push(
      this.credentialEvents.onRevoked(({ keyId, accountId }) => {
        // By room rather than by this replica's own sockets: with replicas, the midtier may be connected to another.
        namespace.in(keyRoom(keyId)).disconnectSockets(true);
        namespace.to(accountRoom(accountId)).emit('key:revoked', { keyId });
      }),
      // Which midtier holds a node is not known here: the account's midtiers all hear it, the one holding it delivers.
      this.commandEvents.onDispatch(({ accountId, agentId, command }) => namespace.to(accountRoom(accountId)).emit('command:dispatch', { accountId, agentId, command })),
      this.commandEvents.onCancel(({ accountId, agentId, commandId }) => namespace.to(accountRoom(accountId)).emit('command:cancel', { accountId, agentId, commandId })),
    );
    namespace.use((socket, next) => {
      const key = socket.handshake.auth?.['key'];
      this.credentials
        .verify(typeof key === 'string' ? key : undefined, 'midtier', socket.handshake.address)
        .then((credential) => {
          socket.data.midtier = credential;
          next();
        })
        .catch((error: unknown) => next(toConnectError(error)));
    });
  }

  onModuleDestroy(): void {
    for (const stop of this.stopListening) stop();
  }

  handleConnection(socket: MidtierSocket): void {
    void socket.join([accountRoom(socket.data.midtier.accountId), keyRoom(socket.data.midtier.keyId)]);
    socket.once('disconnect', (reason, description) =>
      this.logger.log(`mid-tier of account ${socket.data.midtier.account} left: ${reason}${description instanceof Error ? ` (${description.message})` : ''}`),
    );
    this.connectedMidtiers.inc();
    this.logger.log(`mid-tier connected (account ${socket.data.midtier.account}, ${socket.handshake.address})`);
  }

  handleDisconnect(): void {
    this.connectedMidtiers.dec();
  }

  @SubscribeMessage('agent:authenticate')
  authenticateAgent(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<AgentIdentity>> {
    return handleWithAck(agentAuthRequestSchema, payload, async ({ key, source }) => {
      const agent = await this.traffic.verifyKey(key, `${source ?? 'agent'} via mid-tier ${socket.handshake.address}`);
      if (agent.accountId !== socket.data.midtier.accountId) {
        throw new AppException('forbidden', 'This agent key belongs to another account than the mid-tier');
      }
      return agent;
    });
  }

  @SubscribeMessage('node:register')
  registerNode(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<RegisteredNode>> {
    return handleWithAck(midtierNodeRegistrationSchema, payload, ({ registration, connectionId }) =>
      this.traffic.registerNode(socket.data.midtier.accountId, connectionId, registration),
    );
  }

  @SubscribeMessage('metrics:batch')
  storeMetrics(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<{ stored: number; unknown: number }>> {
    return handleWithAck(metricsBatchSchema, payload, (batch) => this.traffic.storeMetrics(socket.data.midtier.accountId, batch));
  }

  @SubscribeMessage('command:update')
  commandUpdate(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<{ accepted: boolean }>> {
    return handleWithAck(agentCommandUpdateSchema, payload, ({ agentId, update }) => this.traffic.commandUpdate(socket.data.midtier.accountId, agentId, update));
  }

  @SubscribeMessage('node:disconnected')
  async nodeDisconnected(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<void> {
    const parsed = nodeDisconnectedSchema.safeParse(payload);
    if (parsed.success) await this.traffic.nodeDisconnected(socket.data.midtier.accountId, parsed.data.agentId, parsed.data.connectionId);
  }
}
