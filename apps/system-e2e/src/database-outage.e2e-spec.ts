import { PostgresCluster, runThresh, waitFor } from '@thresh/testing';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

jest.setTimeout(240_000);

describe('PostgreSQL restarts under load: the hub says so while it lasts, recovers by itself, and nothing is lost', () => {
  let cluster: PostgresCluster;
  let system: RunningSystem;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };
  let reading = false;
  const stopReading = () => (reading = false);

  const ready = async () => {
    const response = await fetch(`${system.hubUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
  };
  const stored = async () => {
    const database = new Client({ connectionString: system.database.url });
    await database.connect();
    try {
      const { rows } = await database.query(
        `SELECT count(*)::int AS count, coalesce(max(s.seq), -1)::int AS max FROM metric_samples s JOIN nodes n ON n.id = s.node_id WHERE n.name = 'busy'`,
      );
      return rows[0] as { count: number; max: number };
    } finally {
      await database.end();
    }
  };

  beforeAll(async () => {
    cluster = await PostgresCluster.create();
    system = await startSystem('pgoutage', { postgresUrl: cluster.url });
    await startAgent(home, [
      ['midtier-url', system.midtierUrl],
      ['api-key', await system.api.createKey('agent')],
      ['metrics-interval', '1'],
      ['reconnect-delay', '1'],
      ['node-name', 'busy'],
    ]);
  });

  afterAll(async () => {
    stopReading();
    if (process.env['THRESH_E2E_SHOW_LOGS']) console.log(`--- hub ---\n${system?.hub?.logs}\n--- midtier ---\n${system?.midtier?.logs}`);
    await runThresh(['agent', 'stop'], env);
    await system?.midtier?.stop();
    await system?.hub?.stop();
    cluster?.remove();
    home.remove();
  });

  it('answers 503 on /health/ready while the database is down, and 200 with every sample stored once it is back', async () => {
    await waitFor('samples stored', async () => (await stored()).max >= 3, 30_000);
    // Load beside the agent: people reading the fleet while the database goes away.
    reading = true;
    // Settled at once, so a failure below does not leave them running into the shutdown.
    const readers = Promise.allSettled(
      Array.from({ length: 4 }, async () => {
        const answers: number[] = [];
        while (reading) {
          answers.push((await system.api.request('GET', '/api/nodes')).status);
          await sleep(100);
        }
        return answers;
      }),
    );

    cluster.stop('fast');
    const down = await waitFor('readiness to show the outage', async () => {
      const answer = await ready();
      return answer.status === 503 ? answer : undefined;
    }, 20_000);
    expect(down.body).toEqual(expect.objectContaining({ code: 'hub_unavailable', message: expect.stringMatching(/^Not ready: database is down/) }));
    expect((await fetch(`${system.hubUrl}/health`)).status).toBe(200);
    await expect(stored()).rejects.toThrow();
    // Ten seconds of outage, watched: the hub stays not ready, refuses the API, and the midtier spools what comes.
    const outage = { readiness: new Set<number>(), api: new Set<number>() };
    for (const until = Date.now() + 10_000; Date.now() < until; await sleep(500)) {
      outage.readiness.add((await ready()).status);
      outage.api.add((await system.api.request('GET', '/api/nodes')).status);
    }
    const spooled = ((await (await fetch(`${system.midtierUrl}/health`)).json()) as { spooledSamples: number }).spooledSamples;
    expect({ readiness: [...outage.readiness], api: [...outage.api], spooling: spooled > 0 }).toEqual({ readiness: [503], api: [503], spooling: true });

    cluster.start();
    const outageEnded = Date.now();
    await waitFor('the hub ready again', async () => (await ready()).status === 200, 60_000);
    console.log(`hub ready ${((Date.now() - outageEnded) / 1000).toFixed(1)} s after PostgreSQL came back`);
    reading = false;
    const statuses = (await readers).flatMap<number | string>((reader) => (reader.status === 'fulfilled' ? reader.value : [`failed: ${String(reader.reason)}`]));
    // Refused while the database was away, never a crash; answered again after.
    expect([...new Set(statuses.filter((status) => status !== 200))]).toEqual([503]);
    expect((await system.api.request('GET', '/api/nodes')).status).toBe(200);

    const before = (await stored()).max;
    const after = await waitFor('samples flowing again', async () => {
      const now = await stored();
      return now.max > before + 3 ? now : undefined;
    }, 60_000);
    expect((await runThresh(['agent', 'stop'], env)).code).toBe(0);
    await waitFor('the midtier spool replayed', async () => ((await (await fetch(`${system.midtierUrl}/health`)).json()) as { spooledSamples: number }).spooledSamples === 0, 30_000);
    const final = await stored();
    console.log(`database restarted under load: ${final.count} samples stored, seq 0..${final.max}; ${statuses.length} API reads, ${statuses.filter((status) => status !== 200).length} refused during the outage`);
    expect(final.max).toBeGreaterThanOrEqual(after.max);
    expect(final.count).toBe(final.max + 1);
  });
});
