import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';

/** What an anonymous client may cost: a bounded number of connections, for a bounded time, with a bounded message. */
export interface ConnectionLimits {
  /** Connections one address may hold before they authenticate (join a namespace). */
  unauthenticatedPerAddress: number;
  /** A connection that has not authenticated within this is closed. */
  authenticateWithinMs: number;
  /** Bytes a connection may send before it has authenticated; past them it is closed, unread. */
  bytesBeforeAuthentication: number;
}

export const DEFAULT_CONNECTION_LIMITS: Omit<ConnectionLimits, 'unauthenticatedPerAddress'> = {
  authenticateWithinMs: 10_000,
  bytesBeforeAuthentication: 64 * 1024,
};

/**
 * HTTP and TLS clients that say nothing are closed within these: a slow header, a TLS handshake left open, an idle
 * keep-alive. Checked every two seconds rather than Node's thirty.
 */
export function closeSilentConnections(server: HttpServer): void {
  server.headersTimeout = 10_000;
  // Long polls wait on the answer, not on the request: the request itself is in within seconds.
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  // Read when the server starts listening.
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 2_000;
}

/** An upgraded connection that has not yet joined a namespace. */
interface Unauthenticated {
  address: string;
  bytes: number;
  count: (chunk: Buffer) => void;
}

/**
 * Socket.IO for servers on the open network: WebSocket only, nothing on the default namespace, and every connection
 * that has not authenticated is counted against its address, closed after a while, and closed at once when it sends
 * more than a handshake would. Only then do the namespaces' own key checks run.
 */
export class GuardedIoAdapter extends IoAdapter {
  private readonly logger = new Logger('Connections');
  private readonly pending = new Map<NetSocket, Unauthenticated>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    app: INestApplicationContext,
    private readonly limits: ConnectionLimits,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      transports: ['websocket'],
      connectTimeout: this.limits.authenticateWithinMs,
      allowRequest: (request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) => callback(null, this.admit(request)),
    }) as Server;
    server.of('/').use((_socket, next) => next(new Error('Connect to one of the namespaces of this server, with its credential')));
    // Every namespace, made now or later: a connection that joined one is authenticated.
    const watch = (namespace: Namespace) => namespace.on('connection', (socket: Socket) => this.authenticated(socket.conn.request.socket));
    server.on('new_namespace', watch);
    return server;
  }

  /** Unauthenticated connections from this address (for tests and /health). */
  unauthenticatedFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  private admit(request: IncomingMessage): boolean {
    const socket = request.socket;
    const address = socket.remoteAddress ?? 'unknown';
    const held = this.perAddress.get(address) ?? 0;
    if (held >= this.limits.unauthenticatedPerAddress) {
      this.logger.warn(`refused a connection from ${address}: it holds ${held} that have not authenticated`);
      return false;
    }
    if (this.pending.has(socket)) return true;
    const entry: Unauthenticated = {
      address,
      bytes: 0,
      count: (chunk) => {
        entry.bytes += chunk.length;
        if (entry.bytes > this.limits.bytesBeforeAuthentication) {
          this.logger.warn(`closed a connection from ${address}: ${entry.bytes} bytes before authenticating`);
          socket.destroy();
        }
      },
    };
    this.pending.set(socket, entry);
    this.perAddress.set(address, held + 1);
    socket.on('data', entry.count);
    socket.once('close', () => this.authenticated(socket));
    return true;
  }

  /** Joined a namespace, or gone: no longer counted. */
  private authenticated(socket: NetSocket): void {
    const entry = this.pending.get(socket);
    if (!entry) return;
    this.pending.delete(socket);
    socket.off('data', entry.count);
    const left = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(entry.address, left);
    else this.perAddress.delete(entry.address);
  }
}
