import { runThresh, waitFor } from '@thresh/testing';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

interface SeqSummary {
  count: number;
  min: number;
  max: number;
}

describe('no loss, no doubles: an agent reporting every second through a midtier crash and a 60 s hub outage', () => {
  let system: RunningSystem;
  let database: Client;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };

  const summary = async (): Promise<SeqSummary> => {
    const { rows } = await database.query(
      `SELECT count(*)::int AS count, coalesce(min(s.seq), -1)::int AS min, coalesce(max(s.seq), -1)::int AS max
         FROM metric_samples s JOIN nodes n ON n.id = s.node_id WHERE n.name = 'steady'`,
    );
    return rows[0];
  };
  const midtierHealth = async () =>
    (await (await fetch(`${system.midtierUrl}/health`)).json()) as { agentsConnected: number; spooledSamples: number; hub: { connected: boolean } };
  const storedPast = (seq: number, timeoutMs = 30_000) =>
    waitFor(`samples past seq ${seq} to be stored`, async () => {
      const current = await summary();
      return current.max > seq ? current : undefined;
    }, timeoutMs);

  beforeAll(async () => {
    system = await startSystem('noloss');
    database = new Client({ connectionString: system.database.url });
    await database.connect();
    await startAgent(home, [
      ['midtier-url', system.midtierUrl],
      ['api-key', await system.api.createKey('agent')],
      ['metrics-interval', '1'],
      ['reconnect-delay', '1'],
      ['node-name', 'steady'],
    ]);
  });

  afterAll(async () => {
    await runThresh(['agent', 'stop'], env);
    await database?.end();
    await system?.stop();
    home.remove();
  });

  it('stores every sequence number exactly once', async () => {
    const before = await storedPast(2);

    await system.midtier.stop('SIGKILL');
    await sleep(4000);
    // Four seconds on, the midtier is still gone: the agent kept its samples through a real outage.
    await expect(midtierHealth()).rejects.toThrow();
    await system.restartMidtier();
    const restarted = Date.now();
    await waitFor('the agent back on the restarted midtier', async () => (await midtierHealth()).agentsConnected === 1, 30_000);
    const backAfter = (Date.now() - restarted) / 1000;
    // reconnect-delay is 1 s; after a 4 s outage the jittered backoff has grown to at most 8 s.
    console.log(`midtier killed for 4 s and restarted: agent back ${backAfter.toFixed(1)} s after the restart`);
    expect(backAfter).toBeLessThan(10);
    const afterMidtier = await storedPast(before.max + 6);
    console.log(`midtier killed and restarted: ${afterMidtier.count} samples stored, seq ${afterMidtier.min}..${afterMidtier.max}`);

    await system.hub.stop('SIGTERM');
    await sleep(30_000);
    // Half way through the outage: the agent is still connected, and the midtier keeps its samples on disk.
    const midway = await midtierHealth();
    expect({ agents: midway.agentsConnected, hub: midway.hub.connected, spooling: midway.spooledSamples > 20 }).toEqual({ agents: 1, hub: false, spooling: true });
    expect(JSON.parse((await runThresh(['agent', 'status', '--json'], env)).stdout)).toEqual(expect.objectContaining({ status: 'connected' }));
    await sleep(30_000);
    // At the end of the outage the hub is still away and the spool has kept growing.
    const late = await midtierHealth();
    expect({ agents: late.agentsConnected, hub: late.hub.connected, spoolGrew: late.spooledSamples > midway.spooledSamples }).toEqual({ agents: 1, hub: false, spoolGrew: true });
    await system.restartHub();
    const afterHub = await storedPast(afterMidtier.max + 62, 60_000);
    console.log(`hub stopped 60 s and restarted: ${afterHub.count} samples stored, seq ${afterHub.min}..${afterHub.max}; ${midway.spooledSamples} spooled by 30 s`);
    await waitFor('the spool replayed', async () => (await midtierHealth()).spooledSamples === 0, 30_000);

    expect((await runThresh(['agent', 'stop'], env)).code).toBe(0);
    const final = await summary();
    expect(final.min).toBe(0);
    expect(final.count).toBe(final.max + 1);
    // The rollups counted each stored sample once, however often it was sent.
    const rollups = await database.query(
      `SELECT r.resolution, sum(r.samples)::int AS samples FROM metric_rollups r JOIN nodes n ON n.id = r.node_id
        WHERE n.name = 'steady' GROUP BY 1 ORDER BY 1`,
    );
    expect(rollups.rows).toEqual([
      { resolution: '1h', samples: final.count },
      { resolution: '1m', samples: final.count },
    ]);
  }, 240_000);
});
