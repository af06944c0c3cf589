import { INestApplicationContext } from '@nestjs/common';
import { ConnectionLimits, GuardedIoAdapter } from '@thresh/server-core';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Pool } from 'pg';
import type { Server, ServerOptions } from 'socket.io';

/**
 * Socket.IO for hub replicas sharing one database: every broadcast (a command for a midtier, a node's status for
 * browsers) reaches the sockets of every replica, through PostgreSQL's LISTEN/NOTIFY, so a replica never needs to hold
 * the midtier of a node to reach it.
 */
export class ReplicaIoAdapter extends GuardedIoAdapter {
  private readonly pool: Pool;

  constructor(app: INestApplicationContext, limits: ConnectionLimits, databaseUrl: string) {
    super(app, limits);
    // Its own small pool: the adapter holds one connection to LISTEN, and sends its NOTIFYs through another.
    this.pool = new Pool({ connectionString: databaseUrl, max: 3 });
    this.pool.on('error', () => undefined);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pool));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await this.pool.end();
  }
}
