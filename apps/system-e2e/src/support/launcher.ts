import { AppProcess, startApp } from '@thresh/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `npm start` prints once everything is up. */
export interface StartOutput {
  dashboard: string;
  username: string;
  password: string;
  agentKey: string;
}

/** `npm start` (the built launcher), run from `cwd` so a developer's own .env cannot change what a test sees. */
export function startLauncher(label: string, env: NodeJS.ProcessEnv, cwd: string, options: { args?: string[]; uid?: number; gid?: number } = {}): AppProcess {
  return startApp(label, 'launcher/main.cjs', { DATABASE_URL: '', THRESH_ADMIN_PASSWORD: '', ...env }, { cwd, ...options });
}

export async function waitForReady(launcher: AppProcess, timeoutMs = 90_000): Promise<StartOutput> {
  await launcher.waitForOutput(/^Agent key: \S+$/m, timeoutMs);
  const [, dashboard] = launcher.logs.match(/^Dashboard: (\S+)$/m) ?? [];
  const [, username, password] = launcher.logs.match(/^Admin login: (\S+) \/ (\S+)$/m) ?? [];
  const [, agentKey] = launcher.logs.match(/^Agent key: (\S+)$/m) ?? [];
  return { dashboard, username, password, agentKey };
}

/** The embedded server, as the README tells a person to reach it with psql: port and password from the data folder. */
export function embeddedDatabase(dataDir: string): { url: string; password: string } {
  const { database } = JSON.parse(readFileSync(join(dataDir, 'local-credentials.json'), 'utf8')) as { database: { password: string; port: number } };
  return { url: `postgres://thresh:${encodeURIComponent(database.password)}@127.0.0.1:${database.port}/thresh`, password: database.password };
}

/** The pid in the embedded cluster's lock file, while the server runs. */
export function embeddedServerPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgresql', 'postmaster.pid'), 'utf8').split('\n')[0]);
}
