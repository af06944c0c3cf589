import { NestExpressApplication } from '@nestjs/platform-express';
import { AGENT_NAMESPACE, AGENT_REST_PREFIX, generateCredential, MIDTIER_NAMESPACE, UserRole } from '@thresh/protocol';
import { agentRegistration, HubApi } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { breakChecksum, HubFixtures } from '../test/fixtures';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

/** Who may call each route the hub serves. A route missing here fails the test: every new route needs a rule. */
type Rule = { public: true } | { roles: UserRole[] } | { scrape: true } | { agentKey: true };
const ANY_ROLE: Rule = { roles: ['admin', 'operator', 'viewer'] };
const ADMIN: Rule = { roles: ['admin'] };
const WRITERS: Rule = { roles: ['admin', 'operator'] };
const PUBLIC: Rule = { public: true };
/** Prometheus' scrape: any user's token or HUB_METRICS_TOKEN; another kind of credential is no credential to it. */
const SCRAPE: Rule = { scrape: true };
const AGENT_KEY: Rule = { agentKey: true };

const ROUTE_RULES: Record<string, Rule> = {
  'GET /health': PUBLIC,
  'GET /health/ready': PUBLIC,
  'GET /metrics': SCRAPE,
  // The dashboard's index.html, for any path the server's routes leave.
  'GET {*any}': PUBLIC,
  'GET /api/docs': PUBLIC,
  'GET /api/docs/': PUBLIC,
  'GET /api/docs/index.html': PUBLIC,
  'GET /api/docs/swagger-ui-init.js': PUBLIC,
  'GET /api/docs/docs/swagger-ui-init.js': PUBLIC,
  'GET /api/docs/LICENSE': PUBLIC,
  'GET /api/docs-json': PUBLIC,
  'GET /api/docs-yaml': PUBLIC,
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
  'POST /api/agent/register': AGENT_KEY,
  'POST /api/agent/metrics': AGENT_KEY,
  'GET /api/agent/commands': AGENT_KEY,
  'POST /api/agent/command-updates': AGENT_KEY,
  'POST /api/agent/unregister': AGENT_KEY,
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

const routeOf = (method: string, path: string): Route => ({ method, path, key: `${method} ${path}` });

interface RouterLayer {
  name: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: unknown[] };
}

/**
 * What the running app serves, from Express's own router (Express 5: `app.router`), where Nest and Swagger register
 * each handler; paths in OpenAPI's form (`{id}`). A router mounted inside it would hide its routes, so it is reported.
 */
function servedRoutes(app: NestExpressApplication): { routes: Route[]; mountedRouters: string[] } {
  // The typings still describe Express 4, whose `app.router` was a deprecated string.
  const express: unknown = app.getHttpAdapter().getInstance();
  const stack = (express as { router: { stack: RouterLayer[] } }).router.stack;
  return {
    routes: stack.flatMap(({ route }) =>
      route ? Object.keys(route.methods).map((method) => routeOf(method === '_all' ? 'ALL' : method.toUpperCase(), route.path.replace(/:(\w+)/g, '{$1}'))) : [],
    ),
    mountedRouters: stack.filter((layer) => !layer.route && Array.isArray(layer.handle.stack)).map((layer) => layer.name),
  };
}

const ROLES: UserRole[] = ['admin', 'operator', 'viewer'];

describe('access matrix: every route and namespace against every kind of credential', () => {
  let hub: TestHub;
  let fixtures: HubFixtures;
  let routes: Route[];
  let mountedRouters: string[];
  let documented: Route[];
  const dashboardDir = mkdtempSync(join(tmpdir(), 'matrix-dashboard-'));
  const users = {} as Record<UserRole, HubApi>;
  let otherAdmin: HubApi;
  const invalid: Record<string, string | undefined> = {};
  const wrongType: Record<string, string> = {};
  /** Account A's resources, which account B must not even learn of. */
  const owned = { keyId: '', nodeName: 'matrix-node', clusterName: 'matrix-cluster', userId: '', stackName: 'no-stack' };

  beforeAll(async () => {
    // A dashboard to serve, so its routes are in the matrix too.
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>dashboard</title>');
    hub = await startTestHub('matrix', { HUB_DASHBOARD_DIR: dashboardDir });
    fixtures = new HubFixtures(hub);
    users.admin = new HubApi(hub.url);
    const adminLogin = await users.admin.login('admin', ADMIN_PASSWORD);
    users.operator = await fixtures.userWithRole(users.admin, 'operator');
    users.viewer = await fixtures.userWithRole(users.admin, 'viewer');
    otherAdmin = await fixtures.createAccountWithAdmin('other', 'other-admin');

    ({ routes, mountedRouters } = servedRoutes(hub.app));
    const document = await users.admin.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/docs-json');
    documented = Object.entries(document.body.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => routeOf(method.toUpperCase(), path)));

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
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  /** Path parameters: things that do not exist, so an allowed call proves it passed the guard without changing state. */
  const missing = (path: string) =>
    path.replace('{*any}', '/fleet').replace('{id}', randomUUID()).replace('{idOrName}', 'no-such-node').replace('{name}', 'no-such-thing').replace('{node}', 'no-such-node');

  const call = (route: Route, token: string | undefined, path = missing(route.path), body: object = {}) =>
    new HubApi(hub.url).request<{ code?: string; message?: string }>(route.method, path, route.method === 'GET' || route.method === 'DELETE' ? undefined : body, token);

  /** The status alone, for routes that answer HTML, JavaScript or Prometheus text rather than JSON. */
  const statusOf = async (route: Route, token: string | undefined) => {
    const sendsBody = route.method !== 'GET' && route.method !== 'DELETE';
    const response = await fetch(`${hub.url}${missing(route.path)}`, {
      method: route.method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(sendsBody ? { 'content-type': 'application/json' } : {}) },
      body: sendsBody ? '{}' : undefined,
    });
    await response.arrayBuffer();
    return response.status;
  };

  const withRule = (kind: 'public' | 'roles' | 'scrape' | 'agentKey') => routes.filter((route) => kind in ROUTE_RULES[route.key]);

  it('has a rule for every route the hub serves, and a served route for every rule', () => {
    expect(mountedRouters).toEqual([]);
    expect(routes.map((route) => route.key).sort()).toEqual(Object.keys(ROUTE_RULES).sort());
  });

  it('serves every route its OpenAPI document describes', () => {
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((route) => !(route.key in ROUTE_RULES)).map((route) => route.key)).toEqual([]);
  });

  it('answers a public route without a credential', async () => {
    for (const route of withRule('public')) {
      const status = await statusOf(route, undefined);
      expect({ route: route.key, refused: status === 401 || status === 403 }).toEqual({ route: route.key, refused: false });
    }
  });

  it('answers 401 to a missing, malformed, bad-checksum, unknown, revoked or expired credential', async () => {
    for (const route of [...withRule('roles'), ...withRule('scrape')]) {
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
    for (const route of withRule('roles')) {
      for (const [label, token] of Object.entries(wrongType)) {
        const response = await call(route, token);
        expect({ route: route.key, credential: label, status: response.status }).toEqual({ route: route.key, credential: label, status: 403 });
        expect(response.body?.message).toContain('expected a user token (thresh_cli_…)');
      }
    }
  });

  it('lets each role through exactly where its rule allows', async () => {
    for (const route of withRule('roles')) {
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

  it('lets every role scrape the metrics, and refuses agent and mid-tier keys as no credential', async () => {
    for (const route of withRule('scrape')) {
      for (const role of ROLES) expect({ route: route.key, role, status: await statusOf(route, users[role].token) }).toEqual({ route: route.key, role, status: 200 });
      for (const [label, token] of Object.entries(wrongType)) {
        expect({ route: route.key, credential: label, status: await statusOf(route, token) }).toEqual({ route: route.key, credential: label, status: 401 });
      }
    }
  });

  it("never shows or changes one account's resources to another account's admin: 404, not 403", async () => {
    const ids = { '{id}': [owned.keyId, owned.userId], '{idOrName}': [owned.nodeName], '{name}': [owned.clusterName] };
    for (const route of withRule('roles').filter((candidate) => candidate.key !== 'POST /api/auth/logout')) {
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
      const agentRoutes = withRule('agentKey');
      expect(agentRoutes.every((route) => route.path.startsWith(AGENT_REST_PREFIX))).toBe(true);
      for (const route of agentRoutes) {
        for (const [label, key, expected] of route.path === `${AGENT_REST_PREFIX}/register` ? cases : cases.filter(([label]) => label === 'mid-tier key' || label === 'agent key')) {
          const response = await call(route, key);
          // Past the key check, an empty body or query is refused as invalid (400) and a poll without a session as 409.
          const outcome = response.status === 400 || response.status === 409 ? 'through' : response.status;
          expect({ route: route.key, credential: label, outcome }).toEqual({ route: route.key, credential: label, outcome: expected });
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
