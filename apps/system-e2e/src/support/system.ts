import { AppProcess, createTestDatabase, freePort, HubApi, startApp, TestDatabase, waitFor } from '@thresh/testing';
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
  stop(): Promise<void>;
}

/** The built hub and midtier as processes, on a database of their own and free loopback ports. */
export async function startSystem(label: string): Promise<RunningSystem> {
  const database = await createTestDatabase(label);
  const hubPort = await freePort();
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const hub = startApp('hub', 'hub/main.js', {
    DATABASE_URL: database.url,
    HUB_PORT: String(hubPort),
    HUB_HOST: '127.0.0.1',
    THRESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  let midtier: AppProcess | undefined;
  const stop = async () => {
    await midtier?.stop();
    await hub.stop();
    await database.drop();
  };
  try {
    await waitFor('the hub to be ready', async () => (await fetch(`${hubUrl}/health/ready`)).ok, 30_000);
    const api = new HubApi(hubUrl);
    await api.login('admin', ADMIN_PASSWORD);
    const midtierPort = await freePort();
    const midtierUrl = `http://127.0.0.1:${midtierPort}`;
    midtier = startApp('midtier', 'midtier/main.js', {
      HUB_URL: hubUrl,
      MIDTIER_KEY: await api.createKey('midtier'),
      MIDTIER_PORT: String(midtierPort),
      MIDTIER_HOST: '127.0.0.1',
      MIDTIER_HEARTBEAT_FLUSH_MS: '200',
    });
    await waitFor(
      'the midtier to reach the hub',
      async () => ((await (await fetch(`${midtierUrl}/health`)).json()) as { hub: { connected: boolean } }).hub.connected,
      30_000,
    );
    return { hub, midtier, hubUrl, midtierUrl, api, database, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- hub ---\n${hub.logs}\n--- midtier ---\n${midtier?.logs ?? ''}`);
  }
}

export function temporaryHome(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'thresh-home-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
