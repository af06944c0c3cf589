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
import { AuditService } from '@thresh/server-audit';
import { AccountsService, CredentialEvents, CredentialsService, VerifiedCredential } from '@thresh/server-auth';
import { accountRoom, AppException, handleWithAck, keyRoom, OncePerWindow, toConnectError } from '@thresh/server-core';
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
  maskCredential,
  parseCredential,
  printable,
} from '@thresh/protocol';
import { CommandEvents } from '@thresh/server-commands';
import { AgentRequestsService } from '../agent-requests/agent-requests.service';
import type { Namespace, Socket } from 'socket.io';

type MidtierSocket = Socket<MidtierToHubEvents, HubToMidtierEvents, Record<string, never>, { midtier: VerifiedCredential }>;

/** The hub's end of the hub link: midtiers connect here with a thresh_mid_ key and relay their agents' requests. */
// Gateways on one port share one server: each names the same message limit, so none depends on which starts first.
@WebSocketGateway({ namespace: MIDTIER_NAMESPACE, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES })
export class HubLinkGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(HubLinkGateway.name);
  private readonly connectedMidtiers = this.metrics.gauge('thresh_hub_midtiers_connected', 'Mid-tiers connected now');

  private readonly stopListening: (() => void)[] = [];
  /** A refused handshake is audited once a minute per address. */
  private readonly refusalsAudited = new OncePerWindow(60_000);

  constructor(
    private readonly credentials: CredentialsService,
    private readonly credentialEvents: CredentialEvents,
    private readonly metrics: MetricsService,
    private readonly commandEvents: CommandEvents,
    private readonly agentRequests: AgentRequestsService,
    private readonly audit: AuditService,
    private readonly accounts: AccountsService,
  ) {}

  afterInit(namespace: Namespace): void {
    // A revoked key: its own mid-tier connections close, and the account's mid-tiers drop agents using it.
    this.stopListening.push(
      this.credentialEvents.onRevoked(({ keyId, accountId }) => {
        // By room rather than by this replica's own sockets: with replicas, the midtier may be connected to another.
        namespace.in(keyRoom(keyId)).disconnectSockets(true);
        namespace.to(accountRoom(accountId)).emit('key:revoked', { keyId });
      }),
      // Only the midtiers of the key that carries the node hear of its commands (by room: any replica may hold them).
      this.commandEvents.onDispatch(({ accountId, agentId, carrierKeyId, command }) => {
        if (carrierKeyId) namespace.to(keyRoom(carrierKeyId)).emit('command:dispatch', { accountId, agentId, command });
      }),
      this.commandEvents.onCancel(({ accountId, agentId, carrierKeyId, commandId }) => {
        if (carrierKeyId) namespace.to(keyRoom(carrierKeyId)).emit('command:cancel', { accountId, agentId, commandId });
      }),
    );
    namespace.use((socket, next) => {
      const key: unknown = socket.handshake.auth?.['key'];
      this.credentials
        .verify(typeof key === 'string' ? key : undefined, 'midtier', socket.handshake.address)
        .then((credential) => {
          socket.data.midtier = credential;
          next();
        })
        .catch((error: unknown) => {
          void this.auditRefusal(key, socket.handshake.address, error);
          next(toConnectError(error));
        });
    });
  }

  onModuleDestroy(): void {
    for (const stop of this.stopListening) stop();
  }

  handleConnection(socket: MidtierSocket): void {
    void socket.join([accountRoom(socket.data.midtier.accountId), keyRoom(socket.data.midtier.keyId)]);
    this.audit
      .record({
        accountId: socket.data.midtier.accountId,
        actor: `mid-tier key ${socket.data.midtier.keyId}`,
        action: 'midtier.connect',
        target: socket.data.midtier.keyId,
        sourceAddress: socket.handshake.address,
      })
      .catch((error: Error) => this.logger.warn(`could not audit a mid-tier connection: ${error.message}`));
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
    return handleWithAck(agentAuthRequestSchema, payload, ({ key, source }) => this.agentOf(socket, key, source));
  }

  @SubscribeMessage('node:register')
  registerNode(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<RegisteredNode>> {
    return handleWithAck(midtierNodeRegistrationSchema, payload, async ({ key, connectionId, registration, source }) => {
      const agent = await this.agentOf(socket, key, source);
      return this.agentRequests.registerNode({ ...agent, source: this.sourceOf(socket, source) }, registration, { connectionId, carrierKeyId: socket.data.midtier.keyId });
    });
  }

  @SubscribeMessage('metrics:batch')
  storeMetrics(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<{ stored: number; unknown: number; refused: number }>> {
    return handleWithAck(metricsBatchSchema, payload, (batch) => this.agentRequests.storeMetrics(socket.data.midtier.accountId, socket.data.midtier.keyId, batch));
  }

  @SubscribeMessage('command:update')
  commandUpdate(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<Ack<{ accepted: boolean }>> {
    return handleWithAck(agentCommandUpdateSchema, payload, ({ agentId, update }) =>
      this.agentRequests.commandUpdate(socket.data.midtier.accountId, agentId, socket.data.midtier.keyId, update),
    );
  }

  @SubscribeMessage('node:disconnected')
  async nodeDisconnected(@ConnectedSocket() socket: MidtierSocket, @MessageBody() payload: unknown): Promise<void> {
    const parsed = nodeDisconnectedSchema.safeParse(payload);
    if (!parsed.success) return;
    await this.agentRequests.nodeDisconnected(socket.data.midtier.accountId, parsed.data.agentId, { connectionId: parsed.data.connectionId, carrierKeyId: socket.data.midtier.keyId });
  }

  /** A refused handshake, in the audit of the account the key names (one row per address and minute). */
  private async auditRefusal(key: unknown, address: string, error: unknown): Promise<void> {
    if (!this.refusalsAudited.take(address)) return;
    const parsed = typeof key === 'string' ? parseCredential(key) : undefined;
    const accountId = parsed?.ok ? await this.accounts.idOf(parsed.credential.account).catch(() => null) : null;
    await this.audit
      .record({
        accountId,
        actor: typeof key === 'string' ? maskCredential(key) : 'anonymous',
        action: 'midtier.refuse',
        sourceAddress: address,
        details: { reason: error instanceof Error ? error.message : 'refused' },
      })
      .catch((failure: Error) => this.logger.warn(`could not audit a refused mid-tier: ${failure.message}`));
  }

  /**
   * An agent key the midtier relays, checked here: failures count against the midtier's key (whatever address it
   * names), and a key of another account answers like an unknown one.
   */
  private async agentOf(socket: MidtierSocket, key: string, source: string | undefined): Promise<AgentIdentity> {
    const agent = await this.agentRequests.verifyKey(key, this.sourceOf(socket, source), `mid-tier key ${socket.data.midtier.keyId}`);
    if (agent.accountId !== socket.data.midtier.accountId) throw new AppException('unauthorized', 'Unknown credential');
    return agent;
  }

  private sourceOf(socket: MidtierSocket, source: string | undefined): string {
    return `${printable(source ?? 'agent', 100)} via mid-tier ${socket.handshake.address}`;
  }
}
