import { runThresh, waitFor } from '@thresh/testing';
import { Client } from 'pg';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

jest.setTimeout(240_000);

interface AgentStatus {
  status: string;
  target: 'primary' | 'fallback';
  targetUrl: string;
  targetSince: string;
}

describe('failover: when its hub and midtier die, an agent moves to the second pair, and comes back once the first is healthy', () => {
  let primary: RunningSystem;
  let secondary: RunningSystem;
  let database: Client;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };
  const status = async () => JSON.parse((await runThresh(['agent', 'status', '--json'], env)).stdout) as AgentStatus;
  const stored = async () => {
    const { rows } = await database.query(
      `SELECT count(*)::int AS count, coalesce(max(s.seq), -1)::int AS max FROM metric_samples s JOIN nodes n ON n.id = s.node_id WHERE n.name = 'roamer'`,
    );
    return rows[0] as { count: number; max: number };
  };
  const storedPast = (seq: number) =>
    waitFor(`samples past seq ${seq}`, async () => {
      const now = await stored();
      return now.max > seq ? now : undefined;
    }, 60_000);

  beforeAll(async () => {
    primary = await startSystem('failover');
    // The second pair serves the same fleet: another hub on the same database, with a midtier of its own.
    secondary = await startSystem('failover-b', { database: primary.database });
    database = new Client({ connectionString: primary.database.url });
    await database.connect();
    await startAgent(home, [
      ['midtier-url', primary.midtierUrl],
      ['fallback-url', secondary.midtierUrl],
      ['auto-failover', 'true'],
      ['failover-timeout', '5'],
      ['failback-delay', '5'],
      ['api-key', await primary.api.createKey('agent')],
      ['metrics-interval', '1'],
      ['reconnect-delay', '1'],
      ['node-name', 'roamer'],
    ]);
  });

  afterAll(async () => {
    await runThresh(['agent', 'stop'], env);
    await database?.end();
    await secondary?.midtier?.stop();
    await secondary?.hub?.stop();
    await primary?.stop();
    home.remove();
  });

  it('fails over after failover-timeout, fails back after failback-delay, and stores every sample once', async () => {
    const before = await storedPast(2);
    expect(await status()).toEqual(expect.objectContaining({ status: 'connected', target: 'primary', targetUrl: primary.midtierUrl }));

    await primary.midtier.stop('SIGKILL');
    await primary.hub.stop('SIGKILL');
    const killed = Date.now();
    const moved = await waitFor('the agent on the fallback', async () => {
      const current = await status();
      return current.status === 'connected' && current.target === 'fallback' ? current : undefined;
    }, 60_000);
    console.log(`failed over ${((Date.now() - killed) / 1000).toFixed(1)} s after the first pair died (failover-timeout 5 s)`);
    expect(moved.targetUrl).toBe(secondary.midtierUrl);
    expect(Date.parse(moved.targetSince)).toBeGreaterThanOrEqual(killed);
    const human = await runThresh(['agent', 'status'], env);
    expect(human.stdout).toContain(`fallback ${secondary.midtierUrl}`);
    const onFallback = await storedPast(before.max + 5);

    await primary.restartHub();
    await primary.restartMidtier();
    const healthy = Date.now();
    const back = await waitFor('the agent back on the primary', async () => {
      const current = await status();
      return current.status === 'connected' && current.target === 'primary' ? current : undefined;
    }, 60_000);
    console.log(`failed back ${((Date.now() - healthy) / 1000).toFixed(1)} s after the first pair was healthy again (failback-delay 5 s)`);
    expect(back.targetUrl).toBe(primary.midtierUrl);
    const afterBack = await storedPast(onFallback.max + 3);

    expect((await runThresh(['agent', 'stop'], env)).code).toBe(0);
    await waitFor('both spools empty', async () => {
      const answers = await Promise.all([primary, secondary].map(async (system) => ((await (await fetch(`${system.midtierUrl}/health`)).json()) as { spooledSamples: number }).spooledSamples));
      return answers.every((spooled) => spooled === 0);
    }, 30_000);
    const final = await stored();
    console.log(`failover and failback: ${final.count} samples stored, seq 0..${final.max}`);
    expect(final.max).toBeGreaterThanOrEqual(afterBack.max);
    expect(final.count).toBe(final.max + 1);
  });
});
