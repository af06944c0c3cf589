import type { NodeStatusEvent } from '@thresh/protocol';
import { DASHBOARD_NAMESPACE } from '@thresh/protocol';
import { runThresh, waitFor } from '@thresh/testing';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

jest.setTimeout(240_000);

describe('scale out: two hub replicas on one database, a midtier on each, agents on both', () => {
  let hubB: RunningSystem;
  let hubA: RunningSystem;
  let database: Client;
  let dashboardOnA: Socket;
  const homes = { near: temporaryHome(), far: temporaryHome() };
  const stored = async (name: string) => {
    const { rows } = await database.query(
      `SELECT count(*)::int AS count, coalesce(max(s.seq), -1)::int AS max FROM metric_samples s JOIN nodes n ON n.id = s.node_id WHERE n.name = $1`,
      [name],
    );
    return rows[0] as { count: number; max: number };
  };

  beforeAll(async () => {
    hubB = await startSystem('scaleout', { hubEnv: { HUB_REPLICAS: 'true' } });
    // Hub A shares B's database; its midtier knows hub B as the replica to move to.
    hubA = await startSystem('scaleout-a', {
      database: hubB.database,
      hubEnv: { HUB_REPLICAS: 'true' },
      midtierEnv: { HUB_FALLBACK_URLS: hubB.hubUrl, MIDTIER_HUB_FAILOVER_SECONDS: '3' },
    });
    database = new Client({ connectionString: hubB.database.url });
    await database.connect();
    const key = await hubA.api.createKey('agent');
    await startAgent(homes.near, [['midtier-url', hubA.midtierUrl], ['api-key', key], ['metrics-interval', '1'], ['reconnect-delay', '1'], ['node-name', 'near']]);
    await startAgent(homes.far, [['midtier-url', hubB.midtierUrl], ['api-key', key], ['metrics-interval', '1'], ['reconnect-delay', '1'], ['node-name', 'far']]);
    dashboardOnA = io(`${hubA.hubUrl}${DASHBOARD_NAMESPACE}`, { auth: { token: hubA.api.token }, transports: ['websocket'] });
    await new Promise<void>((resolve) => dashboardOnA.once('connect', () => resolve()));
    await waitFor('both nodes online', async () => {
      const nodes = await hubA.api.nodes();
      return nodes.items.filter((node) => node.status === 'online').length === 2;
    }, 30_000);
  });

  afterAll(async () => {
    dashboardOnA?.close();
    for (const home of Object.values(homes)) {
      await runThresh(['agent', 'stop'], { THRESH_HOME: home.path });
      home.remove();
    }
    await database?.end();
    await hubA?.midtier?.stop();
    await hubA?.hub?.stop();
    await hubB?.stop();
  });

  it('runs a command created through hub A on an agent whose midtier is attached to hub B', async () => {
    const listed = await runThresh(['node', 'blueprints', 'far', '--json'], { THRESH_TOKEN: hubA.api.token, THRESH_HUB: hubA.hubUrl });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { blueprints: unknown[] }).blueprints.length).toBeGreaterThan(0);
  });

  it('shows a browser on hub A the status changes of an agent under hub B', async () => {
    const pushed: NodeStatusEvent[] = [];
    dashboardOnA.on('node:status', (event: NodeStatusEvent) => pushed.push(event));
    expect((await runThresh(['agent', 'stop'], { THRESH_HOME: homes.far.path })).code).toBe(0);
    await waitFor('hub A to push far offline', () => pushed.find((event) => event.name === 'far' && event.status === 'offline'), 30_000);
    expect((await runThresh(['agent', 'start'], { THRESH_HOME: homes.far.path })).code).toBe(0);
    await waitFor('hub A to push far online again', () => pushed.find((event) => event.name === 'far' && event.status === 'online'), 30_000);
  });

  it('moves hub A\'s midtier to hub B when hub A dies, and loses nothing', async () => {
    const before = await waitFor('near reporting', async () => {
      const now = await stored('near');
      return now.max >= 2 ? now : undefined;
    }, 30_000);
    await hubA.hub.stop('SIGKILL');
    const killed = Date.now();
    await waitFor('hub A\'s midtier on hub B', async () => {
      const health = (await (await fetch(`${hubA.midtierUrl}/health`)).json()) as { hub: { connected: boolean; url: string } };
      return health.hub.connected && health.hub.url === hubB.hubUrl;
    }, 60_000);
    console.log(`hub A's midtier moved to hub B ${((Date.now() - killed) / 1000).toFixed(1)} s after hub A was killed (MIDTIER_HUB_FAILOVER_SECONDS 3)`);
    const after = await waitFor('near\'s samples flowing through hub B', async () => {
      const now = await stored('near');
      return now.max > before.max + 5 ? now : undefined;
    }, 60_000);
    expect((await runThresh(['agent', 'stop'], { THRESH_HOME: homes.near.path })).code).toBe(0);
    await waitFor('hub A\'s midtier spool replayed', async () => ((await (await fetch(`${hubA.midtierUrl}/health`)).json()) as { spooledSamples: number }).spooledSamples === 0, 30_000);
    const final = await stored('near');
    console.log(`near through the failover: ${final.count} samples stored, seq 0..${final.max}`);
    expect(final.max).toBeGreaterThanOrEqual(after.max);
    expect(final.count).toBe(final.max + 1);
  });
});
