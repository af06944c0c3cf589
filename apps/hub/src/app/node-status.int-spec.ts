import { DASHBOARD_NAMESPACE, MIDTIER_NAMESPACE, NodeSampledEvent, NodeStatusEvent } from '@thresh/protocol';
import { AccountsService, CredentialsService } from '@thresh/server-auth';
import { NodesService } from '@thresh/server-nodes';
import { agentRegistration, HubApi, metricSample, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

describe('node status: offline after the grace period, back online, pruned when stale, pushed live', () => {
  let hub: TestHub;
  let midtier: Socket;
  let dashboard: Socket;
  let database: Client;
  const events: NodeStatusEvent[] = [];
  const agentId = randomUUID();

  const nextEvent = (status: NodeStatusEvent['status']) =>
    new Promise<NodeStatusEvent>((resolve) => {
      const check = () => {
        const found = events.find((event) => event.status === status);
        if (found) {
          events.splice(events.indexOf(found), 1);
          resolve(found);
        } else setTimeout(check, 20);
      };
      check();
    });

  beforeAll(async () => {
    // The test sweeps itself, so a background sweep cannot take a transition first.
    hub = await startTestHub('status', {
      HUB_NODE_GRACE_SECONDS: '0',
      HUB_STALE_AGENT_WINDOW: '1h',
      HUB_STATUS_SWEEP_SECONDS: '3600',
      HUB_METRICS_TOKEN: 'scrape-token-0123456789',
    });
    await hub.api.login('admin', ADMIN_PASSWORD);
    midtier = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key: await hub.api.createKey('midtier') }, transports: ['websocket'], reconnection: false });
    dashboard = io(`${hub.url}${DASHBOARD_NAMESPACE}`, { auth: { token: hub.api.token }, transports: ['websocket'], reconnection: false });
    await Promise.all([midtier, dashboard].map((socket) => new Promise<void>((resolve) => socket.once('connect', () => resolve()))));
    dashboard.on('node:status', (event: NodeStatusEvent) => events.push(event));
    database = new Client({ connectionString: hub.database.url });
    await database.connect();
  });

  afterAll(async () => {
    midtier?.close();
    dashboard?.close();
    await database?.end();
    await hub?.close();
  });

  it('keeps /metrics, which names every node, to scrapers holding HUB_METRICS_TOKEN (or a user token)', async () => {
    expect((await fetch(`${hub.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${hub.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const scrape = await fetch(`${hub.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('thresh_hub_agents_connected');
  });

  it('admits user tokens only on /dashboard', async () => {
    const refused = await new Promise<{ status?: number; message: string }>((resolve) => {
      const socket = io(`${hub.url}${DASHBOARD_NAMESPACE}`, { auth: { token: 'thresh_live_default_x' }, transports: ['websocket'], reconnection: false });
      socket.once('connect_error', (error: Error & { data?: { status?: number } }) => {
        socket.close();
        resolve({ status: error.data?.status, message: error.message });
      });
    });
    expect(refused).toEqual({ status: 403, message: expect.stringContaining('expected a user token (thresh_cli_…)') });
  });

  it('drops a dashboard connection when its token expires', async () => {
    const accountId = await hub.app.get(AccountsService, { strict: false }).idOf('default');
    const user = (await hub.api.request<{ id: string; username: string }[]>('GET', '/api/users')).body.find((candidate) => candidate.username === 'admin');
    const { plaintext } = await hub.app.get(CredentialsService, { strict: false }).issue({
      kind: 'user',
      accountId: accountId ?? '',
      account: 'default',
      name: 'expiring login',
      userId: user?.id ?? null,
      expiresAt: new Date(Date.now() + 1500),
    });
    const socket = io(`${hub.url}${DASHBOARD_NAMESPACE}`, { auth: { token: plaintext }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const dropped = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(dropped).toBe('io server disconnect');
  });

  it('drops a dashboard connection when its session ends', async () => {
    const session = new HubApi(hub.url);
    await session.login('admin', ADMIN_PASSWORD);
    const socket = io(`${hub.url}${DASHBOARD_NAMESPACE}`, { auth: { token: session.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await session.request('POST', '/api/auth/logout')).status).toBe(204);
    expect(await dropped).toBe('io server disconnect');
    expect(dashboard.connected).toBe(true);
  });

  it('pushes online on registration, offline when silent past 2 x interval + grace, online again on the next report', async () => {
    await midtier.emitWithAck('node:register', {
      key: await hub.api.createKey('agent'),
      connectionId: 'c1',
      registration: agentRegistration({ agentId, nodeName: 'flappy', metricsIntervalSeconds: 1 }),
    });
    expect(await nextEvent('online')).toEqual(expect.objectContaining({ name: 'flappy' }));

    const nodes = hub.app.get(NodesService);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await nodes.sweepSilentNodes()).toEqual({ offline: 1, pruned: 0 });
    expect(await nextEvent('offline')).toEqual(expect.objectContaining({ name: 'flappy' }));
    expect((await hub.api.request<{ status: string }>('GET', '/api/nodes/flappy')).body.status).toBe('offline');

    expect(await midtier.emitWithAck('metrics:batch', { samples: [{ ...metricSample(), agentId }] })).toEqual({ ok: true, stored: 1, unknown: 0, refused: 0 });
    expect(await nextEvent('online')).toEqual(expect.objectContaining({ name: 'flappy' }));
  });

  it('pushes nodes\' new measurements, the newest per node gathered into one message a second', async () => {
    const pushed: NodeSampledEvent[][] = [];
    dashboard.on('nodes:sampled', (events: NodeSampledEvent[]) => pushed.push(events));
    const { id } = (await hub.api.request<{ id: string }>('GET', '/api/nodes/flappy')).body;
    const samples = [41, 42, 43].map((cpuPercent, index) => ({ ...metricSample({ seq: 10 + index, cpuPercent, environments: [{ name: 'web', status: 'running' as const }] }), agentId }));
    for (const sample of samples) await midtier.emitWithAck('metrics:batch', { samples: [sample] });

    const message = await waitFor('a nodes:sampled push', () => pushed.find((events) => events.some((event) => event.nodeId === id)));
    expect(message.filter((event) => event.nodeId === id)).toEqual([
      expect.objectContaining({ nodeId: id, cpuPercent: 43, memoryUsedBytes: 1, containersRunning: 0, environments: [{ name: 'web', status: 'running' }] }),
    ]);
  });

  it('prunes a node silent past the stale window, with its samples, and audits it', async () => {
    // Reporting again, but with the last sample older than the stale window: online nodes are never pruned.
    await database.query(`UPDATE nodes SET last_seen_at = now() - interval '2 hours' WHERE name = 'flappy'`);
    expect((await hub.api.request<{ status: string }>('GET', '/api/nodes/flappy')).body.status).toBe('online');
    // Its midtier died without a word, so the node still seems connected: silent is silent, offline then pruned.
    expect(await hub.app.get(NodesService).sweepSilentNodes()).toEqual({ offline: 1, pruned: 1 });
    expect(await nextEvent('offline')).toEqual(expect.objectContaining({ name: 'flappy' }));
    expect(await nextEvent('pruned')).toEqual(expect.objectContaining({ name: 'flappy' }));
    expect((await hub.api.request('GET', '/api/nodes/flappy')).status).toBe(404);
    expect((await database.query(`SELECT count(*)::int AS n FROM metric_samples`)).rows[0].n).toBe(0);
    const audit = await hub.api.request<{ items: { actor: string; target: string }[] }>('GET', '/api/audit?action=node.prune');
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: 'hub', target: expect.stringContaining('flappy') })]);
  });
});
