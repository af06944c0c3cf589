import { AGENT_NAMESPACE, AGENT_REST_PREFIX, generateCredential, MIDTIER_NAMESPACE, UserRole } from '@thresh/protocol';
import { agentRegistration, HubApi } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { breakChecksum, HubFixtures } from '../test/fixtures';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

/** Who may call each route. A route missing here fails the test: every new route needs a rule. */
type Rule = { public: true } | { roles: UserRole[] };
const ANY_ROLE: Rule = { roles: ['admin', 'operator', 'viewer'] };
const ADMIN: Rule = { roles: ['admin'] };
const WRITERS: Rule = { roles: ['admin', 'operator'] };
const PUBLIC: Rule = { public: true };

const ROUTE_RULES: Record<string, Rule> = {
  'GET /health': PUBLIC,
  'GET /health/ready': PUBLIC,
  'POST /api/auth/login': PUBLIC,
  'POST /api/auth/session': PUBLIC,
  'POST /api/auth/logout': ANY_ROLE,
  'GET /api/auth/me': ANY_ROLE,
  'GET /api/users': ADMIN,
  'POST /api/users': ADMIN,
  'PATCH /api/users/{id}': ADMIN,
  'GET /api/keys': ADMIN,
  'POST /api/keys': ADMIN,
  'DELETE /api/keys/{id}': ADMIN,
  'POST /api/keys/{id}/rotate': ADMIN,
  'GET /api/nodes': ANY_ROLE,
  'GET /api/nodes/{idOrName}': ANY_ROLE,
  'GET /api/nodes/{idOrName}/metrics': ANY_ROLE,
  'PATCH /api/nodes/{idOrName}': WRITERS,
  'POST /api/nodes/{idOrName}/reset-identity': WRITERS,
  'GET /api/clusters': ANY_ROLE,
  'POST /api/clusters': WRITERS,
  'GET /api/clusters/{name}': ANY_ROLE,
  'DELETE /api/clusters/{name}': WRITERS,
  'PATCH /api/clusters/{name}': WRITERS,
  'POST /api/clusters/{name}/nodes': WRITERS,
  'DELETE /api/clusters/{name}/nodes/{node}': WRITERS,
  'GET /api/commands': ANY_ROLE,
  'GET /api/commands/{id}': ANY_ROLE,
  'POST /api/commands/{id}/cancel': WRITERS,
  'POST /api/nodes/{idOrName}/up': WRITERS,
  'GET /api/nodes/{idOrName}/blueprints': ANY_ROLE,
  'GET /api/nodes/{idOrName}/environments': ANY_ROLE,
  'POST /api/nodes/{idOrName}/environments/{name}/start': WRITERS,
  'POST /api/nodes/{idOrName}/environments/{name}/stop': WRITERS,
  'DELETE /api/nodes/{idOrName}/environments/{name}': WRITERS,
  'GET /api/stacks': ANY_ROLE,
  'GET /api/stacks/{name}': ANY_ROLE,
  'POST /api/stacks/deploy': WRITERS,
  'POST /api/stacks/{name}/stop': WRITERS,
  'DELETE /api/stacks/{name}': WRITERS,
  'GET /api/audit': ADMIN,
};

/** Bodies valid for their route (default: a user change), so another account's call is judged on the resource, not on validation. */
const VALID_BODIES: Record<string, object> = {
  'PATCH /api/clusters/{name}': { description: 'changed by another account' },
  'POST /api/clusters/{name}/nodes': { node: 'matrix-node' },
  'POST /api/nodes/{idOrName}/up': { blueprint: 'python-dev', name: 'from-another-account' },
  'PATCH /api/nodes/{idOrName}': { name: 'renamed-by-another-account' },
};

interface Route {
  method: string;
  path: string;
  key: string;
}

const ROLES: UserRole[] = ['admin', 'operator', 'viewer'];

describe('access matrix: every route and namespace against every kind of credential', () => {
  let hub: TestHub;
  let fixtures: HubFixtures;
  let routes: Route[];
  const users = {} as Record<UserRole, HubApi>;
  let otherAdmin: HubApi;
  const invalid: Record<string, string | undefined> = {};
  const wrongType: Record<string, string> = {};
  /** Account A's resources, which account B must not even learn of. */
  const owned = { keyId: '', nodeName: 'matrix-node', clusterName: 'matrix-cluster', userId: '', stackName: 'no-stack' };

  beforeAll(async () => {
    hub = await startTestHub('matrix');
    fixtures = new HubFixtures(hub);
    users.admin = new HubApi(hub.url);
    const adminLogin = await users.admin.login('admin', ADMIN_PASSWORD);
    users.operator = await fixtures.userWithRole(users.admin, 'operator');
    users.viewer = await fixtures.userWithRole(users.admin, 'viewer');
    otherAdmin = await fixtures.createAccountWithAdmin('other', 'other-admin');

    const document = await users.admin.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/docs-json');
    routes = Object.entries(document.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}` })),
    );

    const revoked = new HubApi(hub.url);
    await revoked.login('admin', ADMIN_PASSWORD);
    await revoked.request('POST', '/api/auth/logout', {});
    Object.assign(invalid, {
      none: undefined,
      malformed: 'thresh_cli_default_tooshort',
      'bad checksum': breakChecksum(users.viewer.token ?? ''),
      unknown: generateCredential('user', 'default'),
      revoked: revoked.token,
      expired: await fixtures.expiredCredential('user', adminLogin.user.id),
    });
    wrongType['agent key'] = await users.admin.createKey('agent');
    wrongType['mid-tier key'] = await users.admin.createKey('midtier');

    const key = await users.admin.request<{ id: string }>('POST', '/api/keys', { type: 'agent', name: 'owned by A' });
    owned.keyId = key.body.id;
    await users.admin.request('POST', '/api/clusters', { name: owned.clusterName });
    // A real node of account A: another account's calls on it must answer as for a node that does not exist.
    const node = await new HubApi(hub.url).request('POST', `${AGENT_REST_PREFIX}/register`, agentRegistration({ nodeName: owned.nodeName }), wrongType['agent key']);
    if (node.status !== 200) throw new Error(`could not register ${owned.nodeName}: ${JSON.stringify(node.body)}`);
    owned.userId = (await users.admin.request<{ id: string }[]>('GET', '/api/users')).body[0].id;
  });

  afterAll(async () => {
    await hub?.close();
  });

  /** Path parameters: things that do not exist, so an allowed call proves it passed the guard without changing state. */
  const missing = (path: string) =>
    path.replace('{id}', randomUUID()).replace('{idOrName}', 'no-such-node').replace('{name}', 'no-such-thing').replace('{node}', 'no-such-node');

  const call = (route: Route, token: string | undefined, path = missing(route.path), body: object = {}) =>
    new HubApi(hub.url).request<{ code?: string; message?: string }>(route.method, path, route.method === 'GET' || route.method === 'DELETE' ? undefined : body, token);

  it('has a rule for every documented route, and a documented route for every rule', () => {
    expect(routes.map((route) => route.key).sort()).toEqual(Object.keys(ROUTE_RULES).sort());
  });

  it('answers 401 to a missing, malformed, bad-checksum, unknown, revoked or expired credential', async () => {
    for (const route of routes.filter((candidate) => !('public' in ROUTE_RULES[candidate.key]))) {
      for (const [label, token] of Object.entries(invalid)) {
        const response = await call(route, token);
        expect({ route: route.key, credential: label, status: response.status, code: response.body?.code }).toEqual({
          route: route.key,
          credential: label,
          status: 401,
          code: 'unauthorized',
        });
      }
    }
  });

  it('answers 403 naming the user token to agent and mid-tier keys', async () => {
    for (const route of routes.filter((candidate) => !('public' in ROUTE_RULES[candidate.key]))) {
      for (const [label, token] of Object.entries(wrongType)) {
        const response = await call(route, token);
        expect({ route: route.key, credential: label, status: response.status }).toEqual({ route: route.key, credential: label, status: 403 });
        expect(response.body?.message).toContain('expected a user token (thresh_cli_…)');
      }
    }
  });

  it('lets each role through exactly where its rule allows', async () => {
    for (const route of routes.filter((candidate) => !('public' in ROUTE_RULES[candidate.key]))) {
      const rule = ROUTE_RULES[route.key] as { roles: UserRole[] };
      for (const role of ROLES) {
        // Logging out spends the token, so it gets a fresh one.
        const token = route.key === 'POST /api/auth/logout' ? (await fixtures.userWithRole(users.admin, role)).token : users[role].token;
        const response = await call(route, token);
        const outcome = rule.roles.includes(role) ? 'allowed' : 'forbidden';
        const seen = response.status === 401 ? 'unauthenticated' : response.status === 403 ? 'forbidden' : 'allowed';
        expect({ route: route.key, role, outcome: seen }).toEqual({ route: route.key, role, outcome });
      }
    }
  });

  it("never shows or changes one account's resources to another account's admin: 404, not 403", async () => {
    const ids = { '{id}': [owned.keyId, owned.userId], '{idOrName}': [owned.nodeName], '{name}': [owned.clusterName] };
    for (const route of routes.filter((candidate) => 'roles' in ROUTE_RULES[candidate.key] && candidate.key !== 'POST /api/auth/logout')) {
      const parameter = Object.keys(ids).find((name) => route.path.includes(name)) as keyof typeof ids | undefined;
      if (!parameter) {
        if (route.method !== 'GET') continue;
        const response = await call(route, otherAdmin.token);
        const text = JSON.stringify(response.body);
        for (const secret of [owned.keyId, owned.userId, owned.clusterName]) expect({ route: route.key, leaks: text.includes(secret) }).toEqual({ route: route.key, leaks: false });
        continue;
      }
      for (const value of ids[parameter]) {
        // A valid body, so the answer is about the resource and not about validation.
        const path = route.path.replace(parameter, value).replace('{node}', owned.nodeName).replace('{name}', 'some-environment');
        const response = await call(route, otherAdmin.token, path, VALID_BODIES[route.key] ?? { role: 'viewer' });
        expect({ route: route.key, status: response.status }).toEqual({ route: route.key, status: 404 });
      }
    }
    // Account A's things are all still there, unchanged.
    const keys = await users.admin.request<{ id: string; revokedAt: string | null }[]>('GET', '/api/keys');
    expect(keys.body.find((key) => key.id === owned.keyId)?.revokedAt).toBeNull();
    const cluster = await users.admin.request<{ description: string }>('GET', `/api/clusters/${owned.clusterName}`);
    expect({ status: cluster.status, description: cluster.body.description }).toEqual({ status: 200, description: '' });
  });

  describe('the /midtier namespace', () => {
    const connect = (key: string | undefined) =>
      new Promise<{ connected: boolean; status?: number; message?: string }>((resolve) => {
        const socket = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: key ? { key } : {}, transports: ['websocket'], reconnection: false });
        socket.once('connect', () => {
          socket.close();
          resolve({ connected: true });
        });
        socket.once('connect_error', (error: Error & { data?: { status?: number } }) => {
          socket.close();
          resolve({ connected: false, status: error.data?.status, message: error.message });
        });
      });

    it('admits mid-tier keys only', async () => {
      const midtierKey = await users.admin.createKey('midtier');
      const revokedMidtier = await users.admin.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'midtier', name: 'revoked' });
      await users.admin.request('DELETE', `/api/keys/${revokedMidtier.body.id}`);
      const cases: [string, string | undefined, number | 'connected'][] = [
        ['none', undefined, 401],
        ['malformed', 'thresh_mid_default_x', 401],
        ['bad checksum', breakChecksum(midtierKey), 401],
        ['unknown', generateCredential('midtier', 'default'), 401],
        ['revoked', revokedMidtier.body.key, 401],
        ['expired', await fixtures.expiredCredential('midtier'), 401],
        ['agent key', wrongType['agent key'], 403],
        ['admin token', users.admin.token, 403],
        ['viewer token', users.viewer.token, 403],
        ['mid-tier key', midtierKey, 'connected'],
        ["another account's mid-tier key", await otherAdmin.createKey('midtier'), 'connected'],
      ];
      for (const [label, key, expected] of cases) {
        const outcome = await connect(key);
        expect({ credential: label, outcome: outcome.connected ? 'connected' : outcome.status }).toEqual({ credential: label, outcome: expected });
        if (expected === 403) expect(outcome.message).toContain('expected a mid-tier key (thresh_mid_…)');
      }
    });

    it("answers another account's agent key as it answers an unknown one", async () => {
      const socket = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key: await otherAdmin.createKey('midtier') }, transports: ['websocket'], reconnection: false });
      try {
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        const result = await socket.emitWithAck('agent:authenticate', { key: wrongType['agent key'] });
        expect(result).toEqual({ ok: false, error: { code: 'unauthorized', message: 'Unknown credential' } });
      } finally {
        socket.close();
      }
    });
  });

  describe('agents straight to the hub: the /agents namespace and its REST fallback', () => {
    const AGENT_ROUTES = [
      ['POST', '/register'],
      ['POST', '/metrics'],
      ['GET', `/commands?agentId=${randomUUID()}`],
      ['POST', '/command-updates'],
      ['POST', '/unregister'],
    ] as const;

    it('admits agent keys only, over REST and over the socket', async () => {
      const agentKey = wrongType['agent key'];
      const cases: [string, string | undefined, number | 'through'][] = [
        ['none', undefined, 401],
        ['unknown', generateCredential('agent', 'default'), 401],
        ['mid-tier key', wrongType['mid-tier key'], 403],
        ['admin token', users.admin.token, 403],
        ['agent key', agentKey, 'through'],
      ];
      // Every credential on one route, the wrong type on each: past 20 refusals an address is blocked for a minute.
      for (const [method, path] of AGENT_ROUTES) {
        for (const [label, key, expected] of path === '/register' ? cases : cases.filter(([label]) => label === 'mid-tier key' || label === 'agent key')) {
          const response = await new HubApi(hub.url).request<{ message?: string }>(method, `${AGENT_REST_PREFIX}${path}`, method === 'GET' ? undefined : {}, key);
          // Past the key check, an empty body is refused as invalid (400) and a poll without a session as 409.
          const outcome = response.status === 400 || response.status === 409 ? 'through' : response.status;
          expect({ route: `${method} ${path}`, credential: label, outcome }).toEqual({ route: `${method} ${path}`, credential: label, outcome: expected });
          if (expected === 403) expect(response.body?.message).toContain('expected an agent key (thresh_live_…)');
        }
      }
      for (const [label, key, expected] of cases) {
        const outcome = await new Promise<number | 'through'>((resolve) => {
          const socket = io(`${hub.url}${AGENT_NAMESPACE}`, { auth: key ? { key } : {}, transports: ['websocket'], reconnection: false });
          socket.once('connect', () => {
            socket.close();
            resolve('through');
          });
          socket.once('connect_error', (error: Error & { data?: { status?: number } }) => {
            socket.close();
            resolve(error.data?.status ?? 0);
          });
        });
        expect({ credential: label, outcome }).toEqual({ credential: label, outcome: expected });
      }
    });
  });
});
