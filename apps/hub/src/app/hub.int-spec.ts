import { generateCredential, MIDTIER_NAMESPACE } from '@thresh/protocol';
import { agentRegistration, metricSample, waitFor } from '@thresh/testing';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

type ConnectOutcome = { connected: true; socket: Socket } | { connected: false; message: string; status?: number };

function connect(url: string, namespace: string, key: string | undefined): Promise<ConnectOutcome> {
  const socket = io(`${url}${namespace}`, { auth: key ? { key } : {}, transports: ['websocket'], reconnection: false });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true, socket }));
    socket.once('connect_error', (error: Error & { data?: { status?: number } }) => {
      socket.close();
      resolve({ connected: false, message: error.message, status: error.data?.status });
    });
  });
}

describe('hub against a real PostgreSQL', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub('hub');
    await hub.api.login('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await hub?.close();
  });

  describe('schema and health', () => {
    it('builds the schema from migrations alone', async () => {
      const client = new Client({ connectionString: hub.database.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT name FROM migrations ORDER BY id`);
        expect(rows.map((row) => row.name)).toEqual(['InitialSchema1764201600000', 'IdentityAndAudit1764288000000', 'MetricSamples1764374400000', 'MetricRollups1764460800000', 'TimePartitions1764547200000', 'Commands1764633600000', 'StackDeployments1764720000000', 'ReplicaBroadcasts1764806400000', 'NodeIdentity1764892800000']);
        const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
        expect(tables.rows.map((row) => row.tablename)).toEqual(
          expect.arrayContaining(['accounts', 'api_keys', 'audit_events', 'cluster_nodes', 'clusters', 'metric_samples', 'nodes', 'stacks', 'users']),
        );
      } finally {
        await client.end();
      }
    });

    it('answers /health and /health/ready with the database up', async () => {
      expect(await hub.api.request('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
      const ready = await hub.api.request<{ status: string; details: Record<string, { status: string }> }>('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details['database'].status).toBe('up');
    });

    it('publishes the OpenAPI document', async () => {
      const docs = await hub.api.request<{ paths: Record<string, unknown> }>('GET', '/api/docs-json');
      expect(docs.status).toBe(200);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/nodes', '/api/keys']));
    });
  });

  describe('login and user tokens', () => {
    it('hands out a thresh_cli_ token that identifies the admin', async () => {
      const login = await hub.api.request<{ token: string; user: { username: string; role: string } }>('POST', '/api/auth/login', {
        username: 'admin',
        password: ADMIN_PASSWORD,
      });
      expect(login.status).toBe(200);
      expect(login.body.token).toMatch(/^thresh_cli_default_/);
      const me = await hub.api.request('GET', '/api/auth/me', undefined, login.body.token);
      expect(me.body).toEqual(expect.objectContaining({ username: 'admin', role: 'admin', account: 'default' }));
    });

    it('refuses a wrong password with 401 and a body without the field with 400', async () => {
      const wrong = await hub.api.request('POST', '/api/auth/login', { username: 'admin', password: 'nope' });
      expect(wrong).toEqual({ status: 401, body: expect.objectContaining({ code: 'unauthorized', message: 'Invalid username or password' }) });
      const missing = await hub.api.request<{ message: string }>('POST', '/api/auth/login', { username: 'admin' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('password');
    });

    it('revokes the token on logout', async () => {
      const { body } = await hub.api.request<{ token: string }>('POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
      expect((await hub.api.request('POST', '/api/auth/logout', {}, body.token)).status).toBe(204);
      const after = await hub.api.request<{ message: string }>('GET', '/api/nodes', undefined, body.token);
      expect(after).toEqual({ status: 401, body: expect.objectContaining({ message: 'Credential has been revoked' }) });
    });
  });

  describe('credentials of the wrong type or state', () => {
    it('answers 403 naming the expected type when an agent or mid-tier key calls the management API', async () => {
      for (const type of ['agent', 'midtier'] as const) {
        const key = await hub.api.createKey(type);
        const response = await hub.api.request<{ code: string; message: string }>('GET', '/api/nodes', undefined, key);
        expect(response.status).toBe(403);
        expect(response.body.message).toContain('expected a user token (thresh_cli_…)');
      }
    });

    it('answers 401 for a missing, malformed, unknown or revoked credential', async () => {
      expect((await hub.api.request('GET', '/api/nodes', undefined, '')).status).toBe(401);
      expect((await hub.api.request('GET', '/api/nodes', undefined, 'thresh_cli_default_short')).status).toBe(401);
      expect((await hub.api.request('GET', '/api/nodes', undefined, generateCredential('user', 'default'))).status).toBe(401);
      const created = await hub.api.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'agent', name: 'doomed' });
      const revoked = await hub.api.request<{ revokedAt: string }>('DELETE', `/api/keys/${created.body.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
    });

    it('validates key requests and shows a key only once', async () => {
      const bad = await hub.api.request<{ issues: { path: string }[] }>('POST', '/api/keys', { type: 'root', name: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((issue) => issue.path)).toEqual(['type', 'name']);
      const created = await hub.api.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'midtier', name: 'shown once' });
      expect(created.body.key).toMatch(/^thresh_mid_default_/);
      const listed = await hub.api.request<Record<string, unknown>[]>('GET', '/api/keys');
      const entry = listed.body.find((key) => key['id'] === created.body.id);
      expect(entry).toEqual(expect.objectContaining({ name: 'shown once', type: 'midtier', revokedAt: null }));
      expect(entry).not.toHaveProperty('key');
      expect(JSON.stringify(listed.body)).not.toContain(created.body.key.slice(-20));
    });
  });

  describe('the /midtier namespace', () => {
    it('refuses agent keys and user tokens with 403 naming thresh_mid_, and bad keys with 401', async () => {
      const agentKey = await hub.api.createKey('agent');
      expect(await connect(hub.url, MIDTIER_NAMESPACE, agentKey)).toEqual({
        connected: false,
        status: 403,
        message: expect.stringContaining('expected a mid-tier key (thresh_mid_…)'),
      });
      expect(await connect(hub.url, MIDTIER_NAMESPACE, hub.api.token)).toEqual(expect.objectContaining({ connected: false, status: 403 }));
      expect(await connect(hub.url, MIDTIER_NAMESPACE, undefined)).toEqual(expect.objectContaining({ connected: false, status: 401 }));
      expect(await connect(hub.url, MIDTIER_NAMESPACE, generateCredential('midtier', 'default'))).toEqual(
        expect.objectContaining({ connected: false, status: 401, message: 'Unknown credential' }),
      );
    });

    it('registers nodes, records their reports and marks a disconnected node offline', async () => {
      const outcome = await connect(hub.url, MIDTIER_NAMESPACE, await hub.api.createKey('midtier'));
      if (!outcome.connected) throw new Error(outcome.message);
      const midtier = outcome.socket;
      try {
        const agentKey = await hub.api.createKey('agent', 'node key');
        const auth = await midtier.emitWithAck('agent:authenticate', { key: agentKey });
        expect(auth).toEqual({ ok: true, keyId: expect.any(String), account: 'default', accountId: expect.any(String) });
        const midKeyAsAgent = await midtier.emitWithAck('agent:authenticate', { key: await hub.api.createKey('midtier') });
        expect(midKeyAsAgent).toEqual({ ok: false, error: expect.objectContaining({ code: 'forbidden' }) });

        const agentId = '5f0b7c5e-3f43-4d1c-9a55-1c2e7f0f7a01';
        const registered = await midtier.emitWithAck('node:register', {
          key: agentKey,
          connectionId: 'conn-1',
          registration: agentRegistration({ agentId, nodeName: 'edge-01' }),
        });
        expect(registered).toEqual({ ok: true, nodeId: expect.any(String), nodeName: 'edge-01', lastSeq: null, nodeCredential: expect.stringMatching(/^thresh_node_default_/) });

        // Back with its credential: the same node, and no new credential.
        const again = await midtier.emitWithAck('node:register', {
          key: agentKey,
          connectionId: 'conn-1',
          registration: agentRegistration({ agentId, nodeName: 'edge-01', nodeCredential: registered.nodeCredential }),
        });
        expect(again).toEqual({ ok: true, nodeId: registered.nodeId, nodeName: 'edge-01', lastSeq: null });

        const invalid = await midtier.emitWithAck('node:register', { key: agentKey, connectionId: 'c', registration: { agentId: 'x' } });
        expect(invalid).toEqual({ ok: false, error: expect.objectContaining({ code: 'validation_failed' }) });

        const findNode = async () => (await hub.api.nodes()).items.find((node) => node.agentId === agentId);
        const registeredNode = await findNode();
        expect(registeredNode).toEqual(
          expect.objectContaining({ name: 'edge-01', status: 'online', platform: 'linux', agentVersion: '0.1.0' }),
        );
        const registeredAt = Date.parse(registeredNode?.lastSeenAt ?? '');

        // A report moves last seen forward; a sample stamped in the future is kept at the database's clock.
        const future = new Date(Date.now() + 3_600_000).toISOString();
        expect(await midtier.emitWithAck('metrics:batch', { samples: [{ ...metricSample({ at: future }), agentId }] })).toEqual({ ok: true, stored: 1, unknown: 0, refused: 0 });
        const reported = await findNode();
        const seenAt = reported?.lastSeenAt ?? '';
        expect(Date.parse(seenAt)).toBeGreaterThanOrEqual(registeredAt);
        expect(Date.parse(reported?.lastSampleAt ?? '')).toBeLessThan(Date.parse(future));

        // A disconnect from an older connection must not take down the current one.
        midtier.emit('node:disconnected', { agentId, connectionId: 'conn-0' });
        midtier.emit('node:disconnected', { agentId, connectionId: 'conn-1' });
        const offline = await waitFor('the node to go offline', async () => {
          const node = (await hub.api.nodes()).items.find((candidate) => candidate.agentId === agentId);
          return node?.status === 'offline' ? node : undefined;
        });
        expect(offline.lastSeenAt).toBe(seenAt);

        const byName = await hub.api.request<{ id: string }>('GET', '/api/nodes/edge-01');
        expect(byName.body.id).toBe(registered.nodeId);
        expect((await hub.api.request('GET', '/api/nodes/no-such-node')).status).toBe(404);
      } finally {
        midtier.close();
      }
    });
  });

  describe('clusters, stacks and metrics', () => {
    it('creates, lists and deletes clusters, refusing duplicates and bad names', async () => {
      const created = await hub.api.request<{ name: string; nodeCount: number }>('POST', '/api/clusters', { name: 'edge-eu', description: 'EU edge' });
      expect(created).toEqual({ status: 201, body: expect.objectContaining({ name: 'edge-eu', nodeCount: 0 }) });
      expect((await hub.api.request('POST', '/api/clusters', { name: 'edge-eu' })).status).toBe(409);
      const bad = await hub.api.request<{ issues: { path: string }[] }>('POST', '/api/clusters', { name: 'Not Valid!' });
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toBe('name');
      const listed = await hub.api.request<{ name: string }[]>('GET', '/api/clusters');
      expect(listed.body.map((cluster) => cluster.name)).toEqual(['edge-eu']);
      expect((await hub.api.request('DELETE', '/api/clusters/edge-eu')).status).toBe(204);
      expect((await hub.api.request('GET', '/api/clusters/edge-eu')).status).toBe(404);
    });

    it('lists stacks (none yet) and answers 404 for an unknown one', async () => {
      expect(await hub.api.request('GET', '/api/stacks')).toEqual({ status: 200, body: [] });
      expect((await hub.api.request('GET', '/api/stacks/webapp')).status).toBe(404);
    });

    it('sends security headers on every answer, and no X-Powered-By; no HSTS over plain HTTP', async () => {
      for (const path of ['/health', '/api/nodes', '/api/no-such-route']) {
        const response = await fetch(`${hub.url}${path}`);
        expect({
          path,
          csp: response.headers.get('content-security-policy')?.includes("frame-ancestors 'none'"),
          nosniff: response.headers.get('x-content-type-options'),
          frame: response.headers.get('x-frame-options'),
          referrer: response.headers.get('referrer-policy'),
          poweredBy: response.headers.get('x-powered-by'),
          hsts: response.headers.get('strict-transport-security'),
        }).toEqual({ path, csp: true, nosniff: 'nosniff', frame: 'DENY', referrer: 'no-referrer', poweredBy: null, hsts: null });
      }
    });

    it('exposes Prometheus metrics to a user token (none to anyone else), counting stored samples', async () => {
      const anonymous = await fetch(`${hub.url}/metrics`);
      expect({ status: anonymous.status, message: ((await anonymous.json()) as { message: string }).message }).toEqual({
        status: 401,
        message: expect.stringContaining('set HUB_METRICS_TOKEN for Prometheus'),
      });
      expect((await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${await hub.api.createKey('agent')}` } })).status).toBe(401);
      const response = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${hub.api.token}` } });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/^thresh_hub_samples_stored_total 1$/m);
      expect(text).toContain('process_cpu_user_seconds_total');
    });
  });
});
