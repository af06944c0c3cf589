import { AGENT_NAMESPACE, AGENT_REST_PREFIX, MAX_SAMPLES_PER_BATCH, MAX_SOCKET_MESSAGE_BYTES, MIDTIER_NAMESPACE } from '@thresh/protocol';
import { agentRegistration, HubApi, metricSample } from '@thresh/testing';
import fc from 'fast-check';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

/** Every table a request could change, each reduced to one fingerprint (last_used_at is bookkeeping, not state). */
const STATE_QUERIES = [
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM accounts t`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM users t`,
  `SELECT md5(coalesce(string_agg(concat(id, type, revoked_at, expires_at), ',' ORDER BY id), '')) FROM api_keys`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM nodes t`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM clusters t`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM cluster_nodes t`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM stacks t`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM commands t`,
  `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM metric_samples t`,
];

const BODY_ROUTES = [
  ['POST', '/api/auth/login'],
  ['POST', '/api/users'],
  ['PATCH', '/api/users/00000000-0000-4000-8000-000000000000'],
  ['POST', '/api/keys'],
  ['POST', '/api/clusters'],
  ['PATCH', '/api/clusters/existing'],
  ['POST', '/api/clusters/existing/nodes'],
  ['POST', '/api/stacks/deploy'],
  ['POST', '/api/nodes/fuzz-node/up'],
] as const;

/** The agent's REST routes, straight to the hub, with a real agent key: a random body never gets a node anywhere. */
const AGENT_BODY_ROUTES = ['/register', '/metrics', '/command-updates', '/unregister'] as const;

const QUERY_ROUTES = ['/api/nodes', '/api/audit'];

describe('fuzzing every edge: malformed, oversized and wrongly typed input', () => {
  let hub: TestHub;
  let admin: HubApi;
  let database: Client;

  const state = async () => Promise.all(STATE_QUERIES.map(async (query) => (await database.query(query)).rows[0].md5 as string));

  let agentKey: string;

  const send = async (method: string, path: string, body: string, contentType = 'application/json', token = admin.token) => {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
      body,
    });
    return { status: response.status, body: await response.text() };
  };

  const connect = async (namespace: string, key: string): Promise<Socket> => {
    const socket = io(`${hub.url}${namespace}`, { auth: { key }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  beforeAll(async () => {
    hub = await startTestHub('fuzz');
    admin = new HubApi(hub.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await admin.request('POST', '/api/clusters', { name: 'existing' });
    agentKey = await admin.createKey('agent');
    // A node for the node routes to aim at: random bodies must leave it, and its commands, as they are.
    expect((await admin.request('POST', `${AGENT_REST_PREFIX}/register`, agentRegistration({ nodeName: 'fuzz-node' }), agentKey)).status).toBe(200);
    database = new Client({ connectionString: hub.database.url });
    await database.connect();
  });

  afterAll(async () => {
    await database?.end();
    await hub?.close();
  });

  it('answers every random JSON body with a 4xx and changes nothing', async () => {
    const before = await state();
    for (const [method, path] of BODY_ROUTES) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
          const response = await send(method, path, JSON.stringify(value));
          expect({ route: `${method} ${path}`, body: value, status: response.status < 500 && response.status >= 400 }).toEqual({
            route: `${method} ${path}`,
            body: value,
            status: true,
          });
        }),
        { numRuns: 60 },
      );
    }
    expect(await state()).toEqual(before);
  });

  it('answers every random body on the agent REST routes with a 4xx and changes nothing', async () => {
    const before = await state();
    for (const path of AGENT_BODY_ROUTES) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
          const response = await send('POST', `${AGENT_REST_PREFIX}${path}`, JSON.stringify(value), 'application/json', agentKey);
          expect({ path, body: value, status: response.status < 500 && response.status >= 400 }).toEqual({ path, body: value, status: true });
        }),
        { numRuns: 60 },
      );
    }
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('agentId', 'wait', 'x'), fc.string()), async (query) => {
        const response = await admin.request('GET', `${AGENT_REST_PREFIX}/commands?${new URLSearchParams(query)}`, undefined, agentKey);
        expect({ query, status: response.status < 500 && response.status >= 400 }).toEqual({ query, status: true });
      }),
      { numRuns: 60 },
    );
    expect(await state()).toEqual(before);
  });

  it('answers every random socket payload on /agents with a coded error and keeps the connection', async () => {
    const agent = await connect(AGENT_NAMESPACE, agentKey);
    const before = await state();
    try {
      for (const event of ['agent:register', 'metrics:report', 'command:update'] as const) {
        await fc.assert(
          fc.asyncProperty(fc.anything({ maxDepth: 3 }), async (payload) => {
            const ack = await (agent.timeout(5000) as Socket).emitWithAck(event, payload);
            expect({ event, ok: ack.ok, code: ack.error?.code }).toEqual({ event, ok: false, code: expect.stringMatching(/validation_failed|forbidden/) });
          }),
          { numRuns: 60 },
        );
      }
      expect(agent.connected).toBe(true);
    } finally {
      agent.close();
    }
    expect(await state()).toEqual(before);
  });

  it('answers near-miss bodies (right fields, wrong types or sizes, extra fields) with a 400 listing the fields', async () => {
    const before = await state();
    const nearMisses: [string, string, unknown][] = [
      ['POST', '/api/keys', { type: 'agent', name: 'x'.repeat(101) }],
      ['POST', '/api/keys', { type: 'agent', name: 'ok', expiresAt: '2001-01-01T00:00:00Z' }],
      ['POST', '/api/keys', { type: 'agent', name: 'ok', admin: true }],
      ['POST', '/api/keys', { type: ['agent'], name: 7 }],
      ['POST', '/api/users', { username: 'ok-user', password: 'short', role: 'viewer' }],
      ['POST', '/api/users', { username: 'ok-user', password: 'long enough', role: 'root' }],
      ['POST', '/api/clusters', { name: 'UPPER case' }],
      ['POST', '/api/clusters', { name: 'ok', description: 'd'.repeat(501) }],
      ['PATCH', '/api/users/00000000-0000-4000-8000-000000000000', {}],
      ['POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD, extra: 1 }],
      ['POST', '/api/auth/login', { username: 'admin\u0000', password: 'x' }],
      ['POST', '/api/clusters', { name: 'nul', description: 'a\u0000b' }],
      ['PATCH', '/api/nodes/fuzz-node', { name: 'Not Valid!' }],
      ['PATCH', '/api/nodes/fuzz-node', { name: 'fine-name', extra: true }],
      ['POST', '/api/nodes/fuzz-node/up', { blueprint: 7, name: 'env' }],
    ];
    for (const [method, path, body] of nearMisses) {
      const response = await send(method, path, JSON.stringify(body));
      const parsed = JSON.parse(response.body) as { code: string; issues?: { path: string }[] };
      expect({ path, body, status: response.status, code: parsed.code }).toEqual({ path, body, status: 400, code: 'validation_failed' });
      expect(parsed.issues?.length).toBeGreaterThan(0);
    }
    expect(await state()).toEqual(before);
  });

  it('refuses broken JSON, other content types and oversized bodies with a 4xx', async () => {
    const before = await state();
    expect((await send('POST', '/api/keys', '{"type": "agent", ')).status).toBe(400);
    expect((await send('POST', '/api/keys', 'type=agent&name=x', 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await send('POST', '/api/keys', 'agent', 'text/plain')).status).toBe(400);
    const huge = JSON.stringify({ type: 'agent', name: 'x'.repeat(2 * 1024 * 1024) });
    expect((await send('POST', '/api/keys', huge)).status).toBe(413);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect((await send('POST', '/api/clusters', deep)).status).toBe(400);
    for (const path of ['/api/nodes/a%00b', '/api/audit?actor=%00', '/api/clusters/%00']) {
      expect({ path, status: (await admin.request('GET', path)).status }).toEqual({ path, status: 400 });
    }
    expect((await admin.request('GET', '/api/audit?since=0000-01-01T00:00:00Z')).status).toBe(400);
    expect(await state()).toEqual(before);
  });

  it('answers random query strings and path parameters with a 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...QUERY_ROUTES),
        fc.dictionary(fc.constantFrom('limit', 'offset', 'status', 'name', 'action', 'since', 'until', 'actor', 'x'), fc.string()),
        async (path, query) => {
          const response = await admin.request('GET', `${path}?${new URLSearchParams(query)}`);
          expect({ path, query, ok: response.status < 500 }).toEqual({ path, query, ok: true });
        },
      ),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/nodes/', '/api/clusters/', '/api/stacks/'), fc.string({ minLength: 1, maxLength: 300 }), async (prefix, value) => {
        const response = await admin.request('GET', prefix + encodeURIComponent(value));
        expect({ value, ok: response.status < 500 }).toEqual({ value, ok: true });
      }),
      { numRuns: 100 },
    );
  });

  it('answers every random socket payload on /midtier with a coded error and keeps the connection', async () => {
    const midtier = await connect(MIDTIER_NAMESPACE, await admin.createKey('midtier'));
    const before = await state();
    try {
      for (const event of ['agent:authenticate', 'node:register', 'metrics:batch', 'command:update'] as const) {
        await fc.assert(
          fc.asyncProperty(fc.anything({ maxDepth: 3 }), async (payload) => {
            const ack = await (midtier.timeout(5000) as Socket).emitWithAck(event, payload);
            expect({ event, ok: ack.ok, code: ack.error?.code }).toEqual({ event, ok: false, code: expect.stringMatching(/validation_failed|unauthorized|forbidden/) });
          }),
          { numRuns: 60 },
        );
      }
      for (let index = 0; index < 20; index++) midtier.emit('node:disconnected', { agentId: index, junk: 'x'.repeat(index * 100) });
      const agentId = '00000000-0000-4000-8000-000000000000';
      const tooMany = { samples: Array.from({ length: MAX_SAMPLES_PER_BATCH + 1 }, (_, seq) => ({ ...metricSample({ seq }), agentId })) };
      expect((await midtier.emitWithAck('metrics:batch', tooMany)).error.code).toBe('validation_failed');
      expect(midtier.connected).toBe(true);

      // Past the gateway's message limit the connection is closed; the hub itself carries on.
      const closed = new Promise<string>((resolve) => midtier.once('disconnect', resolve));
      midtier.emit('metrics:batch', { samples: 'x'.repeat(MAX_SOCKET_MESSAGE_BYTES + 1024) });
      expect(await closed).toBe('transport close');
    } finally {
      midtier.close();
    }
    expect(await state()).toEqual(before);
    expect((await admin.request('GET', '/health/ready')).status).toBe(200);
  });
});
