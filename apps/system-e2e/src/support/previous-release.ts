import { AppProcess, freePort, nodeArgsFor, startApp, waitFor } from '@thresh/testing';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A data folder as the previous release's `npm start` left it: PGlite in `<dataDir>/postgres`, the credentials file
 * beside it. The hub runs against it as then, behind pglite-socket, but on one connection (pool of 1, server cap 1).
 */
export async function withPreviousReleaseHub<T>(dataDir: string, adminPassword: string, work: (hubUrl: string) => Promise<T>): Promise<T> {
  const folder = join(dataDir, 'postgres');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(dataDir, 'local-credentials.json'), `${JSON.stringify({ adminPassword }, null, 2)}\n`, { mode: 0o600 });
  const pgPort = await freePort();
  const database = new AppProcess('PGlite', spawn(process.execPath, [...nodeArgsFor(join(__dirname, 'previous-release-database.ts')), folder, String(pgPort)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let hub: AppProcess | undefined;
  try {
    await database.waitForOutput(/^ready$/m, 30_000);
    const hubPort = await freePort();
    hub = startApp('previous release hub', 'hub/main.js', {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      DATABASE_POOL_SIZE: '1',
      HUB_PORT: String(hubPort),
      HUB_HOST: '127.0.0.1',
      THRESH_ADMIN_PASSWORD: adminPassword,
    });
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    await waitFor('the hub on PGlite to be ready', async () => (await fetch(`${hubUrl}/health/ready`)).ok, 60_000);
    return await work(hubUrl);
  } finally {
    await hub?.stop();
    await database.stop();
  }
}
