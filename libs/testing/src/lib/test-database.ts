import { randomBytes } from 'node:crypto';
import { Client, ClientConfig } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env['THRESH_TEST_PG_URL'];
  if (!url) {
    throw new Error('THRESH_TEST_PG_URL is not set: run the tests with "npm test", which provides a PostgreSQL server');
  }
  return url;
}

/** Runs `work` on a connection of its own to `url`, closed however `work` ends. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>, config: ClientConfig = {}): Promise<T> {
  const client = new Client({ connectionString: url, ...config });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of this suite's own on the test server (or the server given), dropped at the end. */
export async function createTestDatabase(label: string, server = serverUrl()): Promise<TestDatabase> {
  const runId = process.env['THRESH_TEST_RUN_ID'] ?? 'adhoc';
  const name = `thresh_test_${runId}_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await withClient(server, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await withClient(server, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
