import { Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { CredentialEvents, sessionCookieOf, UsersService } from '@thresh/server-auth';
import { accountRoom, keyRoom, toConnectError } from '@thresh/server-core';
import { CommandEvents } from '@thresh/server-commands';
import { NodeEvents } from '@thresh/server-nodes';
import { DASHBOARD_NAMESPACE, DashboardServerEvents, MAX_SOCKET_MESSAGE_BYTES, NodeSampledEvent } from '@thresh/protocol';
import type { Namespace, Socket } from 'socket.io';

/** Browsers of logged-in users (thresh_cli_ tokens) hear of node status changes and measurements in their account as they happen. */
@WebSocketGateway({ namespace: DASHBOARD_NAMESPACE, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES })
export class DashboardGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger(DashboardGateway.name);
  private readonly stopListening: (() => void)[] = [];
  /** Each account's newest measurement per node since the last push: a browser hears a node at most once a second. */
  private readonly sampledSince = new Map<string, Map<string, NodeSampledEvent>>();
  private samplePush?: NodeJS.Timeout;

  constructor(
    private readonly users: UsersService,
    private readonly nodeEvents: NodeEvents,
    private readonly credentialEvents: CredentialEvents,
    private readonly commandEvents: CommandEvents,
  ) {}

  afterInit(namespace: Namespace<Record<string, never>, DashboardServerEvents>): void {
    namespace.use((socket, next) => {
      // A browser's session cookie; a token in the handshake for other clients.
      const token: unknown = socket.handshake.auth?.['token'] ?? sessionCookieOf(socket.handshake.headers.cookie);
      this.users
        .authenticate(typeof token === 'string' ? token : undefined, socket.handshake.address)
        .then((user) => {
          socket.data.accountId = user.accountId;
          socket.data.keyId = user.tokenId;
          next();
        })
        .catch((error: unknown) => next(toConnectError(error)));
    });
    this.stopListening.push(
      this.nodeEvents.onChanged(({ accountId, ...event }) => namespace.to(accountRoom(accountId)).emit('node:status', event)),
      this.nodeEvents.onSampled((accountId, samples) => {
        const pending = this.sampledSince.get(accountId) ?? new Map<string, NodeSampledEvent>();
        for (const sample of samples) pending.set(sample.nodeId, sample);
        this.sampledSince.set(accountId, pending);
      }),
      this.commandEvents.onProgress(({ accountId, event }) => namespace.to(accountRoom(accountId)).emit('command:progress', event)),
      // A session that ends (logout, user disabled, token revoked) stops hearing the account's news at once.
      this.credentialEvents.onRevoked(({ keyId }) => {
        // By room, so a browser connected to another replica is dropped too.
        namespace.in(keyRoom(keyId)).disconnectSockets(true);
      }),
    );
    this.samplePush = setInterval(() => this.pushSampled(namespace), 1000).unref();
  }

  private pushSampled(namespace: Namespace<Record<string, never>, DashboardServerEvents>): void {
    for (const [accountId, pending] of this.sampledSince) namespace.to(accountRoom(accountId)).emit('nodes:sampled', [...pending.values()]);
    this.sampledSince.clear();
  }

  handleConnection(socket: Socket): void {
    void socket.join([accountRoom(socket.data.accountId as string), keyRoom(socket.data.keyId as string)]);
    this.logger.debug(`dashboard connected from ${socket.handshake.address}`);
  }

  onModuleDestroy(): void {
    clearInterval(this.samplePush);
    for (const stop of this.stopListening) stop();
  }
}
