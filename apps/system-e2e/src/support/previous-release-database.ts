// The previous release's embedded database, for the upgrade test: PGlite on a folder, served over TCP to ONE client
// (PGlite has one session; a second connection would interleave with the first). In a process of its own: PGlite
// loads its WebAssembly with a dynamic import, which jest's module sandbox refuses.
//   node -r @swc-node/register previous-release-database.ts <folder> <port>   prints "ready" once it listens; SIGTERM closes it
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main([folder, port]: string[]): Promise<void> {
  const db = await PGlite.create({ dataDir: folder });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(port), maxConnections: 1 });
  await server.start();
  console.log('ready');
  process.once('SIGTERM', async () => {
    await server.stop();
    await db.close();
    process.exit(0);
  });
}

void main(process.argv.slice(2));
