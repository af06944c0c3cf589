import { AGENT_REST_PREFIX } from '@thresh/protocol';
import { MIGRATIONS } from '@thresh/server-core';
import { agentRegistration, createTestDatabase, TestDatabase } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ADMIN_PASSWORD, startTestHub } from '../test/test-hub';

/** A database written by an earlier release is migrated by the current hub without losing a sample. */
describe('upgrading a database that holds samples', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('upgrade');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('moves samples and minute rollups into day partitions, keeping every row', async () => {
    const before = new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS.slice(0, MIGRATIONS.findIndex((migration) => migration.name === 'TimePartitions1764547200000')) });
    await before.initialize();
    await before.runMigrations();
    await before.query(`INSERT INTO accounts (slug, name) VALUES ('old', 'Old')`);
    await before.query(
      `INSERT INTO nodes (account_id, agent_id, name, hostname, platform, arch, agent_version, cpu_cores, memory_total_bytes, disk_total_bytes, metrics_interval_seconds, status)
       SELECT id, gen_random_uuid(), 'old-node', 'old-node', 'linux', 'x64', '0.1.0', 2, 8000, 90000, 30, 'offline' FROM accounts`,
    );
    // Three hours of samples up to now, and one from three weeks ago.
    await before.query(
      `INSERT INTO metric_samples (node_id, seq, at, cpu_percent, memory_used_bytes, memory_total_bytes, disk_used_bytes, disk_total_bytes, containers_running)
       SELECT n.id, s, CASE WHEN s = 0 THEN now() - interval '21 days' ELSE now() - (180 - s) * interval '1 minute' END, 10, 1, 2, 3, 4, 0
         FROM nodes n, generate_series(0, 180) AS s`,
    );
    await before.query(
      `INSERT INTO metric_rollups (node_id, resolution, bucket, samples, cpu_sum, cpu_max, memory_used_sum, disk_used_sum, containers_sum)
       SELECT node_id, '1m', date_trunc('minute', at, 'UTC'), 1, 10, 10, 1, 3, 0 FROM metric_samples`,
    );
    await before.destroy();

    const hub = await startTestHub('upgrade-hub', { DATABASE_URL: database.url });
    try {
      const place = async (table: string) =>
        (
          await hub.app.get(DataSource).query(
            `SELECT tableoid::regclass::text LIKE '%default' AS in_default, count(*)::int AS rows FROM ${table} GROUP BY 1 ORDER BY 1`,
          )
        ).map((row: { in_default: boolean; rows: number }) => [row.in_default ? 'default' : 'days', row.rows]);
      // The sample older than the prepared days waits in the default partition until its retention ends.
      expect(await place('metric_samples')).toEqual([['days', 180], ['default', 1]]);
      expect(await place('metric_rollups_1m')).toEqual([['days', 180], ['default', 1]]);
    } finally {
      await hub.close();
    }
  });
});

/** Nodes of an install from before node credentials: every node kept, duplicates renamed, each claimed once by its agent. */
describe('upgrading a database whose nodes have no credentials', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('upgrade-nodes');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('keeps every node, gives duplicate names the next free one (the oldest keeps its own), and issues each agent its credential once', async () => {
    const before = new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS.slice(0, MIGRATIONS.findIndex((migration) => migration.name === 'NodeIdentity1764892800000')) });
    await before.initialize();
    await before.runMigrations();
    await before.query(`INSERT INTO accounts (slug, name) VALUES ('default', 'Default') ON CONFLICT DO NOTHING`);
    const agents = { oldest: randomUUID(), newer: randomUUID(), suffixed: randomUUID() };
    for (const [name, agentId, registeredAt] of [
      ['web', agents.newer, '2026-02-01'],
      ['web', agents.oldest, '2026-01-01'],
      ['web-2', agents.suffixed, '2026-01-15'],
    ]) {
      await before.query(
        `INSERT INTO nodes (account_id, agent_id, name, hostname, platform, arch, agent_version, cpu_cores, memory_total_bytes, disk_total_bytes, metrics_interval_seconds, status, registered_at, updated_at)
         SELECT id, $1, $2, $2, 'linux', 'x64', '0.1.0', 2, 8000, 90000, 30, 'offline', $3, $3 FROM accounts WHERE slug = 'default'`,
        [agentId, name, registeredAt],
      );
    }
    await before.destroy();

    const hub = await startTestHub('upgrade-nodes-hub', { DATABASE_URL: database.url });
    try {
      await hub.api.login('admin', ADMIN_PASSWORD);
      const nodes = (await hub.api.nodes()).items;
      expect(Object.fromEntries(nodes.map((node) => [node.agentId, [node.name, node.identity]]))).toEqual({
        [agents.oldest]: ['web', 'claimable'],
        [agents.suffixed]: ['web-2', 'claimable'],
        [agents.newer]: ['web-3', 'claimable'],
      });

      // The upgraded agent's next registration claims its node, once: a second machine with its agent id is refused.
      const agentKey = await hub.api.createKey('agent');
      const register = (registration: object) => hub.api.request<{ nodeName: string; nodeCredential?: string }>('POST', `${AGENT_REST_PREFIX}/register`, registration, agentKey);
      const claimed = await register(agentRegistration({ agentId: agents.oldest, nodeName: 'web', enrollment: 'upgraded-agent-enrollment-secret-0123456789' }));
      expect({ status: claimed.status, name: claimed.body.nodeName, credential: claimed.body.nodeCredential }).toEqual({ status: 200, name: 'web', credential: expect.stringMatching(/^thresh_node_default_/) });
      const second = await register(agentRegistration({ agentId: agents.oldest, nodeName: 'web', enrollment: 'another-machine-enrollment-secret-0123456789' }));
      expect(second.status).toBe(403);
      const again = await register(agentRegistration({ agentId: agents.oldest, nodeName: 'web', nodeCredential: claimed.body.nodeCredential }));
      expect({ status: again.status, credential: again.body.nodeCredential }).toEqual({ status: 200, credential: undefined });
      expect((await hub.api.request<{ identity: string }>('GET', '/api/nodes/web')).body.identity).toBe('credential');
    } finally {
      await hub.close();
    }
  });
});
