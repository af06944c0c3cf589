import { AppProcess, createTestDatabase, freePort, getJson, HubApi, runThresh, startApp, TestDatabase, waitFor } from '@thresh/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN_PASSWORD = 'e2e-admin-password';

export interface RunningSystem {
  hub: AppProcess;
  midtier: AppProcess;
  hubUrl: string;
  midtierUrl: string;
  api: HubApi;
  database: TestDatabase;
  /** Starts the hub again on the same port and database (after it was stopped or killed). */
  restartHub(): Promise<void>;
  /** Starts the midtier again on the same port with the same key. */
  restartMidtier(): Promise<void>;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** The PostgreSQL server to make the database on (default: the test server). */
  postgresUrl?: string;
  /** Another system's database, shared (a second hub and midtier pair of the same fleet); left for its owner to drop. */
  database?: TestDatabase;
  /** The midtier serves HTTPS with this certificate; `ca` is what the test trusts to reach it. */
  midtierTls?: { cert: string; key: string; ca: string };
  /** More settings for the hub and for the midtier. */
  hubEnv?: NodeJS.ProcessEnv;
  midtierEnv?: NodeJS.ProcessEnv;
}

/** The built hub and midtier as processes, on a database of their own and free loopback ports. */
export async function startSystem(label: string, options: SystemOptions = {}): Promise<RunningSystem> {
  const database = options.database ?? (await createTestDatabase(label, options.postgresUrl));
  const hubPort = await freePort();
  const midtierPort = await freePort();
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const midtierUrl = `${options.midtierTls ? 'https' : 'http'}://127.0.0.1:${midtierPort}`;
  const spool = mkdtempSync(join(tmpdir(), 'midtier-spool-'));
  const hubEnv = { DATABASE_URL: database.url, HUB_PORT: String(hubPort), HUB_HOST: '127.0.0.1', THRESH_ADMIN_PASSWORD: ADMIN_PASSWORD, ...options.hubEnv };
  let midtierEnv: NodeJS.ProcessEnv = {};

  const launchHub = async () => {
    system.hub = startApp('hub', 'hub/main.js', hubEnv);
    await waitFor('the hub to be ready', async () => (await fetch(`${hubUrl}/health/ready`)).ok, 30_000);
  };
  const launchMidtier = async () => {
    system.midtier = startApp('midtier', 'midtier/main.js', midtierEnv);
    await waitFor(
      'the midtier to reach the hub',
      async () => (await getJson<{ hub: { connected: boolean } }>(`${midtierUrl}/health`, { ca: options.midtierTls?.ca })).body.hub.connected,
      30_000,
    );
  };

  const system = {
    hubUrl,
    midtierUrl,
    api: new HubApi(hubUrl),
    database,
    restartHub: launchHub,
    restartMidtier: launchMidtier,
    async stop() {
      await system.midtier?.stop();
      await system.hub?.stop();
      if (!options.database) await database.drop();
      rmSync(spool, { recursive: true, force: true });
    },
  } as RunningSystem;

  try {
    await launchHub();
    await system.api.login('admin', ADMIN_PASSWORD);
    midtierEnv = {
      HUB_URL: hubUrl,
      MIDTIER_KEY: await system.api.createKey('midtier'),
      MIDTIER_PORT: String(midtierPort),
      MIDTIER_HOST: '127.0.0.1',
      MIDTIER_METRICS_FLUSH_MS: '100',
      MIDTIER_HUB_RECONNECT_MAX_MS: '2000',
      MIDTIER_SPOOL_DIR: spool,
      ...(options.midtierTls ? { MIDTIER_TLS_CERT: options.midtierTls.cert, MIDTIER_TLS_KEY: options.midtierTls.key } : {}),
      ...options.midtierEnv,
    };
    await launchMidtier();
    return system;
  } catch (error) {
    const logs = `--- hub ---\n${system.hub?.logs ?? ''}\n--- midtier ---\n${system.midtier?.logs ?? ''}`;
    await system.stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}

/** Configures a `thresh agent` in this home with these settings, in order, and starts it as a daemon. */
export async function startAgent(home: { path: string }, settings: [string, string][]): Promise<void> {
  const env = { THRESH_HOME: home.path };
  for (const [key, value] of settings) {
    const set = await runThresh(['agent', 'config', 'set', key, value], env);
    if (set.code !== 0) throw new Error(`thresh agent config set ${key} ${value}: ${set.stderr}`);
  }
  const started = await runThresh(['agent', 'start'], env);
  if (started.code !== 0) throw new Error(`thresh agent start: ${started.stderr}`);
}

export function temporaryHome(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'thresh-home-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
