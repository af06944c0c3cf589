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
import { accountRoom, AppException, handleWithAck, toConnectError } from '@thresh/server-core';
import { MetricsIngestService, MetricsService } from '@thresh/server-metrics';
import { NodesService } from '@thresh/server-nodes';
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
} from '@thresh/protocol';
import type { Namespace, Socket } from 'socket.io';

type MidtierSocket = Socket<MidtierToHubEvents, HubToMidtierEvents, Record<string, never>, { midtier: VerifiedCredential }>;

/** Mid-tiers connect here with a thresh_mid_ key and relay their agents' traffic. */
// Gateways on one port share one server: each names the same message limit, so none depends on which starts first.
@WebSocketGateway({ namespace: MIDTIER_NAMESPACE, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES })
export class MidtierGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(MidtierGateway.name);
  private readonly connectedMidtiers = this.metrics.gauge('thresh_hub_midtiers_connected', 'Mid-tiers connected now');

  private stopListening?: () => void;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly credentialEvents: CredentialEvents,
    private readonly nodes: NodesService,
    private readonly metrics: MetricsService,
    private readonly ingest: MetricsIngestService,
  ) {}

  afterInit(namespace: Namespace): void {
    // A revoked key: its own mid-tier connections close, and the account's mid-tiers drop agents using it.
    this.stopListening = this.credentialEvents.onRevoked(({ keyId, accountId }) => {
      for (const socket of namespace.sockets.values()) {
        if ((socket as MidtierSocket).data.midtier?.keyId === keyId) socket.disconnect(true);
      }
      namespace.to(accountRoom(accountId)).emit('key:revoked', { keyId });
    });
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
    this.stopListening?.();
  }

  handleConnection(socket: MidtierSocket): void {
    void socket.join(accountRoom(socket.data.midtier.accountId));
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
      const agent = await this.credentials.verify(key, 'agent', `${source ?? 'agent'} via mid-tier ${socket.handshake.address}`);
      if (agent.accountId !== socket.data.midtier.accountId) {
        throw new AppException('forbidden', 'This agent key belongs to another account than the mid-tier');
      }
      return { keyId: agent.keyId, account: agent.account };
    });
  }

  @SubscribeMessage('node:register')
  registerNode(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<RegisteredNode>> {
    return handleWithAck(midtierNodeRegistrationSchema, payload, ({ registration, connectionId }) =>
      this.nodes.register(socket.data.midtier.accountId, registration, connectionId),
    );
  }

  @SubscribeMessage('metrics:batch')
  storeMetrics(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<{ stored: number; unknown: number }>> {
    return handleWithAck(metricsBatchSchema, payload, (batch) => this.ingest.store(socket.data.midtier.accountId, batch));
  }

  @SubscribeMessage('node:disconnected')
  async nodeDisconnected(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<void> {
    const parsed = nodeDisconnectedSchema.safeParse(payload);
    if (!parsed.success) return;
    await this.nodes
      .markDisconnected(socket.data.midtier.accountId, parsed.data.agentId, parsed.data.connectionId)
      .catch((error: Error) => this.logger.warn(`could not mark node offline: ${error.message}`));
  }
}
