import { MIDTIER_NAMESPACE, MetricSample, NodeMetricsResponse, NodeResponse } from '@thresh/protocol';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { RetentionService } from '@thresh/server-metrics';
import { agentRegistration } from '@thresh/testing';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

const sample = (seq: number, at: Date, cpu = 5 + (seq % 90)): MetricSample => ({
  seq,
  at: at.toISOString(),
  cpuPercent: cpu,
  memoryUsedBytes: 1000 + seq,
  memoryTotalBytes: 8000,
  diskUsedBytes: 5000 + seq,
  diskTotalBytes: 90_000,
  containersRunning: seq % 3,
  environments: [{ name: 'web', status: 'running' }],
});

describe('metric samples: batched storage, exactly once', () => {
  let hub: TestHub;
  let midtier: Socket;
  let database: Client;
  const agentId = randomUUID();
  let agentKey: string;

  beforeAll(async () => {
    hub = await startTestHub('metrics');
    await hub.api.login('admin', ADMIN_PASSWORD);
    agentKey = await hub.api.createKey('agent');
    midtier = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key: await hub.api.createKey('midtier') }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => midtier.once('connect', () => resolve()));
    const registered = await midtier.emitWithAck('node:register', {
      key: agentKey,
      connectionId: 'c1',
      registration: agentRegistration({ agentId, nodeName: 'metrics-node', cpuCores: 2, memoryTotalBytes: 8000, diskTotalBytes: 90_000, metricsIntervalSeconds: 1 }),
    });
    expect(registered.ok).toBe(true);
    database = new Client({ connectionString: hub.database.url });
    await database.connect();
  });

  afterAll(async () => {
    midtier?.close();
    await database?.end();
    await hub?.close();
  });

  const store = (samples: (MetricSample & { agentId: string })[]) => midtier.emitWithAck('metrics:batch', { samples });
  const storedSeqs = async () =>
    (await database.query(`SELECT seq FROM metric_samples ORDER BY seq`)).rows.map((row: { seq: string }) => Number(row.seq));

  it('stores a batch in one go and ignores repeats, whichever batch they come in', async () => {
    const start = new Date(Date.now() - 10 * 60_000);
    const first = Array.from({ length: 100 }, (_, seq) => ({ ...sample(seq, new Date(start.getTime() + seq * 1000)), agentId }));
    expect(await store(first)).toEqual({ ok: true, stored: 100, unknown: 0, refused: 0 });
    // Half repeats, half new: only the new ones count.
    const second = Array.from({ length: 100 }, (_, index) => ({ ...sample(index + 50, new Date(start.getTime() + (index + 50) * 1000)), agentId }));
    expect(await store(second)).toEqual({ ok: true, stored: 50, unknown: 0, refused: 0 });
    expect(await store(first)).toEqual({ ok: true, stored: 0, unknown: 0, refused: 0 });
    expect(await storedSeqs()).toEqual(Array.from({ length: 150 }, (_, seq) => seq));
  });

  it('drops samples of agents the account does not know, and says how many', async () => {
    expect(await store([{ ...sample(0, new Date()), agentId: randomUUID() }])).toEqual({ ok: true, stored: 0, unknown: 1, refused: 0 });
  });

  it('keeps the latest values on the node, never moving them back for a late sample', async () => {
    const node = (await hub.api.request<NodeResponse>('GET', '/api/nodes/metrics-node')).body;
    expect(node).toEqual(expect.objectContaining({ cpuPercent: 64, memoryUsedBytes: 1149, diskUsedBytes: 5149, containersRunning: 149 % 3 }));
    expect(node.environments).toEqual([{ name: 'web', status: 'running' }]);
    await store([{ ...sample(5, new Date(), 99), agentId }]);
    expect((await hub.api.request<NodeResponse>('GET', '/api/nodes/metrics-node')).body.cpuPercent).toBe(64);
  });

  it('serves raw samples and per-minute averages that match the raw data', async () => {
    const from = new Date(Date.now() - 11 * 60_000).toISOString();
    const raw = (await hub.api.request<NodeMetricsResponse>('GET', `/api/nodes/metrics-node/metrics?from=${from}&resolution=raw`)).body;
    expect(raw.resolution).toBe('raw');
    expect(raw.points).toHaveLength(150);
    expect(raw.truncated).toBe(false);
    expect(raw.points[0]).toEqual(expect.objectContaining({ cpuPercent: 5, memoryUsedBytes: 1000 }));

    const minutes = (await hub.api.request<NodeMetricsResponse>('GET', `/api/nodes/metrics-node/metrics?from=${from}&resolution=1m`)).body;
    const expected = new Map<string, number[]>();
    for (const point of raw.points) {
      const minute = point.at.slice(0, 16);
      expected.set(minute, [...(expected.get(minute) ?? []), point.cpuPercent]);
    }
    expect(minutes.points.map((point) => [point.at.slice(0, 16), point.cpuPercent])).toEqual(
      [...expected].map(([minute, values]) => [minute, Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10]),
    );
    const auto = (await hub.api.request<NodeMetricsResponse>('GET', `/api/nodes/metrics-node/metrics?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`)).body;
    expect(auto.resolution).toBe('1h');
    // This node reports every second: three hours of raw samples would not fit one answer, so auto takes minutes.
    const threeHours = async (resolution: string) =>
      (await hub.api.request<NodeMetricsResponse>('GET', `/api/nodes/metrics-node/metrics?from=${new Date(Date.now() - 3 * 3600_000).toISOString()}&resolution=${resolution}`)).body;
    expect((await threeHours('auto')).resolution).toBe('1m');
    expect((await threeHours('raw')).truncated).toBe(false);
    expect((await hub.api.request('GET', '/api/nodes/metrics-node/metrics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
  });

  it('rolls up per hour consistently with the minutes, and drops each tier at the end of its retention', async () => {
    const from = new Date(Date.now() - 2 * 3600_000).toISOString();
    const hours = (await hub.api.request<NodeMetricsResponse>('GET', `/api/nodes/metrics-node/metrics?from=${from}&resolution=1h`)).body;
    const raw = (await hub.api.request<NodeMetricsResponse>('GET', `/api/nodes/metrics-node/metrics?from=${from}&resolution=raw`)).body;
    const byHour = new Map<string, number[]>();
    for (const point of raw.points) byHour.set(point.at.slice(0, 13), [...(byHour.get(point.at.slice(0, 13)) ?? []), point.cpuPercent]);
    expect(hours.points.map((point) => [point.at.slice(0, 13), point.cpuPercent])).toEqual(
      [...byHour].map(([hour, values]) => [hour, Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10]),
    );

    const old = new Date(Date.now() - 8 * 86_400_000);
    expect(await store([{ ...sample(1000, old), agentId }])).toEqual({ ok: true, stored: 1, unknown: 0, refused: 0 });
    const retention = hub.app.get(RetentionService);
    const count = async (table: string) => (await database.query(`SELECT count(*)::int AS rows FROM ${table}`)).rows[0].rows;
    // Days before the prepared partitions land in the default partition and are deleted row by row.
    expect(await retention.sweep()).toEqual({ raw: { partitions: 0, rows: 1 }, minute: { partitions: 0, rows: 0 }, hour: { partitions: 0, rows: 0 } });
    expect(await count('metric_samples')).toBe(150);

    // A month on, every day partition of raw samples and minutes is past retention and is dropped whole.
    const monthLater = await retention.sweep(new Date(Date.now() + 31 * 86_400_000));
    expect(monthLater.raw.partitions).toBeGreaterThanOrEqual(4);
    expect(monthLater.minute.partitions).toBeGreaterThanOrEqual(2);
    expect(monthLater.minute.rows).toBe(1);
    expect(monthLater.hour).toEqual({ partitions: 0, rows: 0 });
    expect(await count('metric_samples')).toBe(0);
    const remaining = await database.query(`SELECT resolution, count(*)::int AS rows FROM metric_rollups GROUP BY 1 ORDER BY 1`);
    expect(remaining.rows).toEqual([{ resolution: '1h', rows: expect.any(Number) }]);

    // Partitions for today come back (and take in what the default partition caught meanwhile).
    expect(await retention.preparePartitions()).toBeGreaterThanOrEqual(6);
    expect(await retention.preparePartitions()).toBe(0);
  });

  it('lists nodes sorted by a measurement, and filtered by cluster', async () => {
    const zetaId = randomUUID();
    await midtier.emitWithAck('node:register', {
      key: agentKey,
      connectionId: 'c2',
      registration: agentRegistration({ agentId: zetaId, nodeName: 'zeta' }),
    });
    await store([{ ...sample(0, new Date(), 97), agentId: zetaId }]);
    const names = async (query: string) =>
      (await hub.api.request<{ items: { name: string }[] }>('GET', `/api/nodes?${query}`)).body.items.map((node) => node.name);
    expect(await names('sort=cpu&order=desc')).toEqual(['zeta', 'metrics-node']);
    expect(await names('sort=name')).toEqual(['metrics-node', 'zeta']);
    expect(await names('sort=name&order=desc&limit=1')).toEqual(['zeta']);

    await hub.api.request('POST', '/api/clusters', { name: 'edge' });
    await database.query(
      `INSERT INTO cluster_nodes (cluster_id, node_id) SELECT c.id, n.id FROM clusters c, nodes n WHERE c.name = 'edge' AND n.name = 'zeta'`,
    );
    expect(await names('cluster=edge')).toEqual(['zeta']);
    expect(await names('cluster=nowhere')).toEqual([]);
    expect((await hub.api.request('GET', '/api/nodes?sort=bogus')).status).toBe(400);
    await database.query(`DELETE FROM nodes WHERE name = 'zeta'`);
  });

  it('counts stored and repeated samples for Prometheus', async () => {
    const text = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${hub.api.token}` } })).text();
    expect(text).toMatch(/^thresh_hub_samples_stored_total 152$/m);
    expect(text).toMatch(/^thresh_hub_samples_repeated_total 151$/m);
    // The sample with the highest sequence number (1000, stored by the retention test) is the node's latest.
    expect(text).toMatch(/^thresh_node_up\{account="default",node="metrics-node",node_id="[0-9a-f-]+"\} 1$/m);
    expect(text).toMatch(/^thresh_node_cpu_percent\{account="default",node="metrics-node",node_id="[0-9a-f-]+"\} 15$/m);
    expect(text).toMatch(/^thresh_node_memory_used_bytes\{account="default",node="metrics-node",node_id="[0-9a-f-]+"\} 2000$/m);
    expect(text).toMatch(/^thresh_hub_agents_connected 1$/m);
    expect(text).toMatch(/^thresh_hub_sample_batch_size_count \d+$/m);
  });

  it('stores a sample once when copies of it are stored at the same moment, even from an agent whose clock runs ahead', async () => {
    const aheadId = randomUUID();
    await midtier.emitWithAck('node:register', { key: agentKey, connectionId: 'c3', registration: agentRegistration({ agentId: aheadId, nodeName: 'clock-ahead' }) });
    // An hour ahead: each copy is stored at its own transaction's now(), so only the node's last seq tells them apart.
    const ahead = new Date(Date.now() + 3_600_000);
    const batch = Array.from({ length: 20 }, (_, seq) => ({ ...sample(seq, ahead), agentId: aheadId }));
    const answers = await Promise.all(Array.from({ length: 4 }, () => store(batch)));
    expect(answers.reduce((total, answer) => total + answer.stored, 0)).toBe(20);
    const stored = await database.query(`SELECT count(*)::int AS count FROM metric_samples s JOIN nodes n ON n.id = s.node_id WHERE n.name = 'clock-ahead'`);
    expect(stored.rows[0].count).toBe(20);
  });

  it('refuses as invalid a batch holding a value PostgreSQL cannot store, and stores none of it', async () => {
    const before = await storedSeqs();
    // Within the schema's 0-100, but below what a PostgreSQL real holds.
    const answer = await store([{ ...sample(5000, new Date(), 1e-50), agentId }]);
    expect(answer).toEqual({ ok: false, error: expect.objectContaining({ code: 'validation_failed' }) });
    expect(await storedSeqs()).toEqual(before);
  });
});
