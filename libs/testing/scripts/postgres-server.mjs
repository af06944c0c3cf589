// Finds or makes the PostgreSQL server the tests run against, and removes what it made.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
}

function installPostgres() {
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('which', ['apt-get']).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      'No PostgreSQL for the tests: set TEST_DATABASE_URL, run a server on 127.0.0.1:5432, ' +
        'or install PostgreSQL (Debian: apt-get install -y postgresql) so a throwaway cluster can be made.',
    );
  }
  console.log('[test] installing PostgreSQL from Debian packages…');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'postgresql'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** A throwaway cluster from Debian's binaries, as the postgres user when run as root (initdb refuses root). */
async function startThrowawayCluster() {
  let bin = postgresBinDir();
  if (!bin) {
    installPostgres();
    bin = postgresBinDir();
  }
  const dir = mkdtempSync(join(tmpdir(), 'thresh-test-pg-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (command) =>
    asRoot ? execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe' }) : execFileSync('sh', ['-c', command], { stdio: 'pipe' });
  run(`${bin}/initdb -D ${dir}/data -A trust -U postgres`);
  run(`${bin}/pg_ctl -D ${dir}/data -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off" -l ${dir}/log -w start`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    description: `a throwaway cluster on 127.0.0.1:${port}`,
    stop() {
      try {
        run(`${bin}/pg_ctl -D ${dir}/data -m immediate -w stop`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// A server this run did not start is left running.
const leaveRunning = () => undefined;

export async function acquirePostgresServer() {
  if (process.env.TEST_DATABASE_URL) {
    if (!(await answers(process.env.TEST_DATABASE_URL))) throw new Error('TEST_DATABASE_URL is set but does not answer');
    return { url: process.env.TEST_DATABASE_URL, description: 'TEST_DATABASE_URL', stop: leaveRunning };
  }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  // TEST_POSTGRES=throwaway skips the local server, e.g. when it does not trust the postgres user.
  if (process.env.TEST_POSTGRES !== 'throwaway' && (await answers(local))) return { url: local, description: 'the server on 127.0.0.1:5432', stop: leaveRunning };
  return startThrowawayCluster();
}

/** Drops every database a run created, whatever its tests left behind. */
export async function dropRunDatabases(url, runId) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`thresh_test_${runId}_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  } finally {
    await client.end();
  }
}
