// Finds or makes the PostgreSQL server the tests run against, and removes what it made.
import { PostgresCluster, postgresBinDir, withClient } from '@thresh/testing';
import { execFileSync, spawnSync } from 'node:child_process';

export type PostgresServer = { url: string; description: string; stop(): void };

const answers = (url: string): Promise<boolean> =>
  withClient(url, (client) => client.query('SELECT 1'), { connectionTimeoutMillis: 2000 }).then(() => true, () => false);

function installPostgres(): void {
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

// A server this run did not start is left running.
const leaveRunning = () => undefined;

export async function acquirePostgresServer(): Promise<PostgresServer> {
  const given = process.env['TEST_DATABASE_URL'];
  if (given) {
    if (!(await answers(given))) throw new Error('TEST_DATABASE_URL is set but does not answer');
    return { url: given, description: 'TEST_DATABASE_URL', stop: leaveRunning };
  }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  // TEST_POSTGRES=throwaway skips the local server, e.g. when it does not trust the postgres user.
  if (process.env['TEST_POSTGRES'] !== 'throwaway' && (await answers(local))) return { url: local, description: 'the server on 127.0.0.1:5432', stop: leaveRunning };
  if (!postgresBinDir()) installPostgres();
  const cluster = await PostgresCluster.create();
  return { url: cluster.url, description: `a throwaway cluster on 127.0.0.1:${cluster.port}`, stop: () => cluster.remove() };
}

/** Drops every database a run created, whatever its tests left behind. */
export function dropRunDatabases(url: string, runId: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`thresh_test_${runId}_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  });
}
