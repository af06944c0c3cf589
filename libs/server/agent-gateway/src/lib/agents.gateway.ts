import { Logger } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { TIMEOUT_LADDER } from '@thresh/agent-wire';
import { AppException, handleWithAck, toConnectError } from '@thresh/server-core';
import {
  Ack,
  AGENT_NAMESPACE,
  agentRegistrationSchema,
  commandUpdateSchema,
  MAX_SOCKET_MESSAGE_BYTES,
  metricsReportSchema,
  RegisteredNode,
} from '@thresh/protocol';
import type { Namespace } from 'socket.io';
import { AgentAuthService } from './agent-auth.service';
import { AgentSessions, AgentSocket, AgentSocketData } from './agent-sessions.service';
import { AgentUplink } from './agent-uplink';

const logger = new Logger('AgentsGateway');

/**
 * One listener for every socket: Socket.IO calls it with the socket as `this`, so a connection costs no closures of
 * its own (a midtier holds ten thousand). Arguments are read as Nest read them: a trailing function is the ack, and
 * anything but one payload is handed on as a list (which fails validation).
 */
function onEverySocket<R>(handle: (socket: AgentSocket, payload: unknown) => Promise<R>) {
  return function (this: AgentSocket, ...args: unknown[]): void {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (result: R) => void) : undefined;
    handle(this, args.length === 1 ? args[0] : args).then(
      (result) => ack?.(result),
      (error: Error) => logger.error(`agent message from ${this.id} failed: ${error.stack ?? error.message}`),
    );
  };
}

/** Agents connect here with a thresh_live_ key and hold the connection. */
// Gateways on one port share one server: each names the same message limit, so none depends on which starts first.
@WebSocketGateway({ namespace: AGENT_NAMESPACE, pingInterval: TIMEOUT_LADDER.socketPingIntervalMs, pingTimeout: TIMEOUT_LADDER.socketPingTimeoutMs, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES })
// Messages are bound by hand rather than with @SubscribeMessage, which builds rxjs pipelines per socket and message.
export class AgentsGateway implements OnGatewayInit {
  private namespace?: Namespace;
  private readonly onRegister = onEverySocket((socket, payload) => this.register(socket, payload));
  private readonly onReport = onEverySocket((socket, payload) => this.report(socket, payload));
  private readonly onCommandUpdate = onEverySocket((socket, payload) => this.commandUpdate(socket, payload));
  private readonly onDisconnect = onEverySocket(async (socket) => this.detach(socket));

  constructor(
    private readonly auth: AgentAuthService,
    private readonly uplink: AgentUplink,
    private readonly sessions: AgentSessions,
  ) {
    uplink.events.on('key:revoked', ({ keyId }) => this.disconnectKey(keyId));
  }

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    this.sessions.useNamespace(namespace);
    namespace.use((socket, next) => {
      const key: unknown = socket.handshake.auth?.['key'];
      this.auth
        .authenticate(key, socket.handshake.address)
        .then((identity) => {
          socket.data.identity = identity;
          socket.data.key = key as string;
          next();
        })
        .catch((error: unknown) => next(toConnectError(error)));
    });
    namespace.on('connection', (connected) => {
      const socket = connected as AgentSocket;
      socket.on('agent:register', this.onRegister);
      socket.on('metrics:report', this.onReport);
      socket.on('command:update', this.onCommandUpdate);
      socket.on('disconnect', this.onDisconnect);
    });
  }

  // Not named handleDisconnect: Nest calls a method of that name itself, on every disconnect.
  private detach(socket: AgentSocket): void {
    const agentId = socket.data.agentId;
    if (!agentId) return;
    if (this.sessions.detachSocket(socket.data.identity, agentId, socket)) this.uplink.nodeDisconnected(socket.data.identity, agentId, socket.id);
  }

  /** The socket speaks for the node only once the hub accepted it: a refused claim leaves the node's own connection as it was. */
  private register(socket: AgentSocket, payload: unknown): Promise<Ack<RegisteredNode>> {
    return handleWithAck(agentRegistrationSchema, payload, async (registration) => {
      if (socket.data.agentId && socket.data.agentId !== registration.agentId) {
        throw new AppException('forbidden', 'One connection serves one agent; reconnect to register another agent id');
      }
      if (socket.data.registering) throw new AppException('conflict', 'A registration of this connection is still waiting for the hub');
      socket.data.registering = true;
      const pending = this.sessions.beginRegistration(socket.data.identity, registration.agentId);
      try {
        const registered = await this.uplink.registerNode(socket.data.identity, socket.data.key, socket.id, registration, socket.handshake.address);
        // Gone during the round trip: the hub recorded a connection that no longer exists.
        if (socket.disconnected) {
          this.uplink.nodeDisconnected(socket.data.identity, registration.agentId, socket.id);
        } else {
          socket.data.agentId = registration.agentId;
          this.sessions.attachSocket(socket.data.identity, registration.agentId, socket, pending);
        }
        return registered;
      } finally {
        pending.end();
        socket.data.registering = false;
      }
    });
  }

  private report(socket: AgentSocket, payload: unknown): Promise<Ack<{ accepted: number }>> {
    return handleWithAck(metricsReportSchema, payload, async (report) => {
      if (report.agentId !== socket.data.agentId) throw new AppException('forbidden', 'Register before reporting, and only for your own agent id');
      if (socket.data.reporting) throw new AppException('conflict', 'A report from this connection is still being stored; wait for its acknowledgement');
      socket.data.reporting = true;
      try {
        await this.uplink.storeMetrics(socket.data.identity, report.agentId, report.samples);
      } finally {
        socket.data.reporting = false;
      }
      return { accepted: report.samples.length };
    });
  }

  private commandUpdate(socket: AgentSocket, payload: unknown): Promise<Ack<{ accepted: boolean }>> {
    return handleWithAck(commandUpdateSchema, payload, async (update) => {
      const agentId = socket.data.agentId;
      if (!agentId) throw new AppException('forbidden', 'Register before reporting on commands');
      return this.uplink.commandUpdate(socket.data.identity, agentId, update);
    });
  }

  private disconnectKey(keyId: string): void {
    for (const socket of this.namespace?.sockets.values() ?? []) {
      if ((socket.data as AgentSocketData).identity?.keyId === keyId) socket.disconnect(true);
    }
  }
}
