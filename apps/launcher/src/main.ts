import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { claimDataDir } from './lib/data-dir-lock';
import { EmbeddedPostgres } from './lib/embedded-postgres';
import { HubClient, HubRequestError, requestJson, waitUntil } from './lib/hub-client';
import { ensureLocalCertificate } from './lib/local-tls';
import { describeLocalDatabase, startLocalDatabase } from './lib/local-database';
import { loadOrCreateSecrets, LocalSecrets, saveSecrets, secretsPath } from './lib/local-secrets';
import { isPortFree } from './lib/ports';
import { Supervisor } from './lib/supervisor';

const DIST = resolve(__dirname, '..');
const HUB_BIN = join(DIST, 'hub', 'main.js');
const MIDTIER_BIN = join(DIST, 'midtier', 'main.js');
const THRESH_BIN = join(DIST, 'agent', 'bin', 'thresh');
const READY_TIMEOUT_MS = 90_000;
// `main.cjs database` (npm run db) runs only the embedded PostgreSQL, for psql and maintenance.
const DATABASE_ONLY = process.argv[2] === 'database';

function log(message: string): void {
  process.stdout.write(`[start]   ${message}\n`);
}

class StartError extends Error {}

function fail(message: string): never {
  throw new StartError(message);
}

let database: EmbeddedPostgres | undefined;
let releaseDataDir: (() => void) | undefined;
let stopping = false;
const supervisor = new Supervisor((name, code) => {
  process.stderr.write(`npm start: ${name} exited unexpectedly (code ${code}); stopping everything\n`);
  void shutdown(1);
});

async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await supervisor.stopAll();
  await database?.stop().catch((error: Error) => process.stderr.write(`npm start: stopping PostgreSQL: ${error.message}\n`));
  releaseDataDir?.();
  process.exit(exitCode);
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 65_535) fail(`${name} must be a port number, got "${raw}"`);
  return value;
}

function embeddedPort(): number | undefined {
  return process.env['THRESH_EMBEDDED_PG_PORT'] ? port('THRESH_EMBEDDED_PG_PORT', 0) : undefined;
}

/** Reuses the stored key when the hub still accepts it, else issues a new one. */
async function ensureKey(hub: HubClient, stored: LocalSecrets['agentKey'], type: 'agent' | 'midtier') {
  const keys = await hub.listKeys();
  const usable = stored && keys.find((key) => key.id === stored.id && !key.revokedAt && (!key.expiresAt || Date.parse(key.expiresAt) > Date.now()));
  if (usable && stored) return stored;
  const created = await hub.createKey({ type, name: `local ${type} (npm start)` });
  return { id: created.id, key: created.key };
}

async function main(): Promise<void> {
  // Settings may come from a .env file, as .env.example describes.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const dataDir = resolve(process.env['THRESH_DATA_DIR'] || '.thresh-data');
  const hubPort = port('HUB_PORT', 7200);
  const midtierPort = port('MIDTIER_PORT', 5000);
  if (DATABASE_ONLY) {
    if (process.env['DATABASE_URL']) fail('DATABASE_URL is set: npm run db runs the embedded PostgreSQL, used only when DATABASE_URL is empty');
  } else {
    for (const bin of [HUB_BIN, MIDTIER_BIN, THRESH_BIN]) if (!existsSync(bin)) fail(`${bin} is missing; build first (npm start does)`);
    for (const [name, value] of [['HUB_PORT', hubPort], ['MIDTIER_PORT', midtierPort]] as const) {
      if (!(await isPortFree(value, '0.0.0.0'))) fail(`port ${value} is in use; set ${name} to a free port`);
    }
  }
  releaseDataDir = claimDataDir(dataDir);
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  const adminUsername = process.env['THRESH_ADMIN_USERNAME'] || 'admin';
  const secrets = loadOrCreateSecrets(dataDir, process.env['THRESH_ADMIN_PASSWORD'] || undefined);
  if (DATABASE_ONLY) {
    database = await startLocalDatabase(dataDir, secrets, embeddedPort(), log);
    process.stdout.write(`\nDatabase: ${describeLocalDatabase(dataDir, database)}\nCtrl-C stops it.\n`);
    return;
  }

  let databaseUrl = process.env['DATABASE_URL'];
  if (databaseUrl) {
    log('using the PostgreSQL at DATABASE_URL');
  } else {
    database = await startLocalDatabase(dataDir, secrets, embeddedPort(), log);
    databaseUrl = database.url;
    log(`embedded PostgreSQL ${database.version} on 127.0.0.1:${database.port}${database.created ? ', a new cluster' : ''}${database.runsAs ? `, running as user ${database.runsAs}` : ''}; its log: ${database.logFile}`);
  }

  const baseEnv = { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] || 'warn' };
  // HTTPS unless told otherwise, with a certificate of this machine's own, made once.
  const https = process.env['HUB_DISABLE_HTTPS'] !== 'true';
  const tls = https ? await ensureLocalCertificate(dataDir) : undefined;
  if (tls?.created) log(`made a self-signed certificate for this machine: ${tls.cert}`);
  const ca = tls ? readFileSync(tls.cert, 'utf8') : undefined;
  const scheme = https ? 'https' : 'http';
  supervisor.start('hub', process.execPath, [HUB_BIN], {
    ...baseEnv,
    ...(tls ? { HUB_TLS_CERT: tls.cert, HUB_TLS_KEY: tls.key } : {}),
    DATABASE_URL: databaseUrl,
    HUB_PORT: String(hubPort),
    THRESH_ADMIN_USERNAME: adminUsername,
    THRESH_ADMIN_PASSWORD: secrets.adminPassword,
  });
  const hubUrl = `${scheme}://127.0.0.1:${hubPort}`;
  const hub = new HubClient(hubUrl, ca);
  await waitUntil('the hub to be ready', () => hub.answers('/health/ready'), READY_TIMEOUT_MS);

  try {
    await hub.login(adminUsername, secrets.adminPassword);
  } catch (error) {
    if (error instanceof HubRequestError && error.status === 401) {
      fail(`cannot log in as "${adminUsername}" with the password in ${secretsPath(dataDir)}; set THRESH_ADMIN_PASSWORD to that admin's password`);
    }
    throw error;
  }
  secrets.midtierKey = await ensureKey(hub, secrets.midtierKey, 'midtier');
  secrets.agentKey = await ensureKey(hub, secrets.agentKey, 'agent');
  saveSecrets(dataDir, secrets);

  supervisor.start('midtier', process.execPath, [MIDTIER_BIN], {
    ...baseEnv,
    MIDTIER_PORT: String(midtierPort),
    HUB_URL: hubUrl,
    MIDTIER_KEY: secrets.midtierKey.key,
    MIDTIER_SPOOL_DIR: process.env['MIDTIER_SPOOL_DIR'] || join(dataDir, 'midtier-spool'),
    ...(tls ? { MIDTIER_TLS_CERT: tls.cert, MIDTIER_TLS_KEY: tls.key, MIDTIER_HUB_TLS_CA: tls.cert } : {}),
  });
  const midtierUrl = `${scheme}://127.0.0.1:${midtierPort}`;
  await waitUntil(
    'the midtier to reach the hub',
    async () => ((await requestJson(new URL('/health', midtierUrl), { ca })).body as { hub: { connected: boolean } }).hub.connected,
    READY_TIMEOUT_MS,
  );

  const agentEnv = { ...process.env, THRESH_HOME: join(dataDir, 'agent') };
  for (const [key, value] of [['midtier-url', midtierUrl], ['api-key', secrets.agentKey.key], ...(tls ? [['tls-ca', tls.cert]] : [])]) {
    const result = spawnSync(process.execPath, [THRESH_BIN, 'agent', 'config', 'set', key, value], { env: agentEnv, encoding: 'utf8' });
    if (result.status !== 0) fail(`could not configure the local agent: ${result.stderr}`);
  }
  supervisor.start('agent', process.execPath, [THRESH_BIN, 'agent', 'run'], agentEnv);
  await waitUntil(
    'this machine’s node to come online',
    async () => {
      const identity = JSON.parse(readFileSync(join(agentEnv.THRESH_HOME, 'identity.json'), 'utf8')) as { agentId: string };
      return (await hub.listNodes()).items.some((node) => node.agentId === identity.agentId && node.status === 'online');
    },
    READY_TIMEOUT_MS,
  );

  process.stdout.write(
    [
      '',
      'Thresh Hub is running. Ctrl-C stops everything.',
      `Dashboard: ${scheme}://localhost:${hubPort}/`,
      ...(tls ? [`Certificate: ${tls.cert} (self-signed: a browser asks once)`] : []),
      `CLI login: npm run thresh -- auth login --hub ${scheme}://localhost:${hubPort}${tls ? ` --ca ${shellWord(tls.cert)}` : ''} --username ${adminUsername}`,
      ...(database ? [`Database: ${describeLocalDatabase(dataDir, database)}`] : []),
      `Admin login: ${adminUsername} / ${secrets.adminPassword}`,
      `Agent key: ${secrets.agentKey.key}`,
      '',
    ].join('\n'),
  );
}

/** A path as a shell takes it, printed to be pasted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

main().catch((error: Error) => {
  process.stderr.write(`npm start: ${error.message}\n`);
  void shutdown(1);
});
