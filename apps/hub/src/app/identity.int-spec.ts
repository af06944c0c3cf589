import { AuditEvent, MIDTIER_NAMESPACE } from '@thresh/protocol';
import { HubApi, waitFor } from '@thresh/testing';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';
import { HubFixtures, USER_PASSWORD } from '../test/fixtures';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

describe('identity and access', () => {
  let hub: TestHub;
  let admin: HubApi;
  let fixtures: HubFixtures;

  beforeAll(async () => {
    hub = await startTestHub('identity', { HUB_LOGIN_FAILURE_LIMIT: '5', HUB_CREDENTIAL_FAILURE_LIMIT: '8' });
    admin = new HubApi(hub.url);
    await admin.login('admin', ADMIN_PASSWORD);
    fixtures = new HubFixtures(hub);
  });

  afterAll(async () => {
    await hub?.close();
  });

  const audit = async (query = '') => (await admin.request<{ items: AuditEvent[] }>('GET', `/api/audit${query}`)).body.items;

  describe('keys', () => {
    it('stores only a SHA-256 hash of the secret, never the key', async () => {
      const created = await admin.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'agent', name: 'hashed' });
      const client = new Client({ connectionString: hub.database.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT t::text AS row FROM api_keys t WHERE id = $1`, [created.body.id]);
        const secret = created.body.key.slice('thresh_live_default_'.length, -6);
        expect(rows[0].row).not.toContain(secret);
        const hash = await client.query(`SELECT length(secret_hash) AS bytes FROM api_keys WHERE id = $1`, [created.body.id]);
        expect(hash.rows[0].bytes).toBe(32);
      } finally {
        await client.end();
      }
    });

    it('rotates with an overlap: the old key works until its window ends, the new one at once', async () => {
      const old = await admin.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'midtier', name: 'rotating' });
      const rotated = await admin.request<{ id: string; key: string; name: string }>('POST', `/api/keys/${old.body.id}/rotate`);
      expect(rotated.status).toBe(201);
      expect(rotated.body.name).toBe('rotating');
      expect(rotated.body.key).not.toBe(old.body.key);
      const listed = (await admin.request<{ id: string; revokedAt: string | null }[]>('GET', '/api/keys')).body;
      const stopsAt = Date.parse(listed.find((key) => key.id === old.body.id)?.revokedAt ?? '');
      expect(stopsAt - Date.now()).toBeGreaterThan(23.9 * 3600_000);
      expect(await connects(old.body.key)).toBe(true);
      expect(await connects(rotated.body.key)).toBe(true);
      expect((await admin.request('POST', `/api/keys/${old.body.id}/rotate`)).status).toBe(409);

      // Revoking now cuts the overlap short.
      expect((await admin.request('DELETE', `/api/keys/${old.body.id}`)).status).toBe(200);
      expect(await connects(old.body.key)).toBe(false);
    });

    it('stops accepting a key at its expiry and tells connected mid-tiers', async () => {
      const expiresAt = new Date(Date.now() + 4000).toISOString();
      const expiring = await admin.request<{ key: string }>('POST', '/api/keys', { type: 'midtier', name: 'short-lived', expiresAt });
      const socket = await connect(expiring.body.key);
      const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(socket.connected).toBe(true);
      expect(await dropped).toBe('io server disconnect');
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
      expect(await connects(expiring.body.key)).toBe(false);
    });

    it('pushes a revoked agent key to the mid-tiers of its account', async () => {
      const midtier = await connect(await admin.createKey('midtier'));
      try {
        const agentKey = await admin.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'agent', name: 'pushed' });
        const heard = new Promise<{ keyId: string }>((resolve) => midtier.once('key:revoked', resolve));
        await admin.request('DELETE', `/api/keys/${agentKey.body.id}`);
        expect(await heard).toEqual({ keyId: agentKey.body.id });
      } finally {
        midtier.close();
      }
    });
  });

  describe('users and roles', () => {
    it('lets an admin create, list, change and disable users, and a disabled user is locked out at once', async () => {
      const created = await admin.request<{ id: string; role: string }>('POST', '/api/users', { username: 'dana', password: USER_PASSWORD, role: 'viewer' });
      expect(created.status).toBe(201);
      expect((await admin.request('POST', '/api/users', { username: 'dana', password: USER_PASSWORD, role: 'viewer' })).status).toBe(409);
      const dana = new HubApi(hub.url);
      await dana.login('dana', USER_PASSWORD);
      expect((await dana.request('POST', '/api/clusters', { name: 'not-allowed' })).status).toBe(403);

      const promoted = await admin.request<{ role: string }>('PATCH', `/api/users/${created.body.id}`, { role: 'operator' });
      expect(promoted.body.role).toBe('operator');
      expect((await dana.request('POST', '/api/clusters', { name: 'now-allowed' })).status).toBe(201);

      expect((await admin.request('PATCH', `/api/users/${created.body.id}`, { disabled: true })).status).toBe(200);
      expect((await dana.request('GET', '/api/nodes')).status).toBe(401);
      expect((await new HubApi(hub.url).request('POST', '/api/auth/login', { username: 'dana', password: USER_PASSWORD })).status).toBe(401);

      const users = (await admin.request<{ username: string; disabled: boolean }[]>('GET', '/api/users')).body;
      expect(users).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'dana', disabled: true })]));

      // Enabling again does not bring the old session back.
      expect((await admin.request('PATCH', `/api/users/${created.body.id}`, { disabled: false })).status).toBe(200);
      expect((await dana.request('GET', '/api/nodes')).status).toBe(401);
      await dana.login('dana', USER_PASSWORD);
      expect((await dana.request('GET', '/api/nodes')).status).toBe(200);
    });

    it('ends every session of a user whose password changes', async () => {
      const created = await admin.request<{ id: string }>('POST', '/api/users', { username: 'erin', password: USER_PASSWORD, role: 'viewer' });
      const erin = new HubApi(hub.url);
      await erin.login('erin', USER_PASSWORD);
      expect((await admin.request('PATCH', `/api/users/${created.body.id}`, { password: 'a brand new password' })).status).toBe(200);
      expect((await erin.request('GET', '/api/nodes')).status).toBe(401);
      await erin.login('erin', 'a brand new password');
      expect((await erin.request('GET', '/api/nodes')).status).toBe(200);
    });

    it('does not let an admin lock themselves out', async () => {
      const me = (await admin.request<{ id: string }>('GET', '/api/auth/me')).body;
      expect((await admin.request('PATCH', `/api/users/${me.id}`, { disabled: true })).status).toBe(409);
      expect((await admin.request('PATCH', `/api/users/${me.id}`, { role: 'viewer' })).status).toBe(409);
    });

    it('expires user tokens', async () => {
      const me = (await admin.request<{ id: string }>('GET', '/api/auth/me')).body;
      const expired = await fixtures.expiredCredential('user', me.id);
      expect(await admin.request('GET', '/api/auth/me', undefined, expired)).toEqual({
        status: 401,
        body: expect.objectContaining({ message: 'Credential has expired' }),
      });
    });
  });

  describe('audit trail', () => {
    it('records logins, failed logins, key and user changes with actor, target and source', async () => {
      await new HubApi(hub.url).request('POST', '/api/auth/login', { username: 'nobody', password: 'wrong-password' });
      const events = await audit();
      const actions = events.map((event) => event.action);
      expect(actions).toEqual(expect.arrayContaining(['auth.login', 'key.create', 'key.rotate', 'key.revoke', 'user.create', 'user.update', 'cluster.create']));
      const rotation = events.find((event) => event.action === 'key.rotate');
      expect(rotation).toEqual(expect.objectContaining({ actor: 'admin', target: expect.stringMatching(/^thresh_mid_default_\w{4} \(/), sourceAddress: expect.stringContaining('127.0.0.1') }));
      const failed = await audit('?action=auth.login_failed');
      expect(failed.every((event) => event.action === 'auth.login_failed')).toBe(true);
      // Attempts on usernames that do not exist are shown to the default account's admins.
      expect(failed).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'nobody', details: { reason: 'unknown user' } })]));
      expect(JSON.stringify(events)).not.toContain('wrong-password');
      expect((await audit('?actor=dana')).map((event) => event.action)).toContain('auth.login');
    });

    it('filters by time', async () => {
      const future = new Date(Date.now() + 60_000).toISOString();
      expect(await audit(`?since=${encodeURIComponent(future)}`)).toEqual([]);
    });
  });

  describe('dashboard sessions', () => {
    it('keeps the token in an httpOnly, SameSite=Strict cookie, serves the API and the live socket on it, and ends both on logout', async () => {
      const opened = await fetch(`${hub.url}/api/auth/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const body = (await opened.json()) as Record<string, unknown>;
      const setCookie = opened.headers.get('set-cookie') ?? '';
      expect({ status: opened.status, token: body['token'], user: body['user'] }).toEqual({ status: 200, token: undefined, user: expect.objectContaining({ username: 'admin' }) });
      expect(setCookie).toMatch(/^thresh_session=thresh_cli_default_\w+;/);
      expect(setCookie).toEqual(expect.stringContaining('HttpOnly'));
      expect(setCookie).toEqual(expect.stringContaining('SameSite=Strict'));
      const cookie = setCookie.split(';')[0];
      const me = await fetch(`${hub.url}/api/auth/me`, { headers: { cookie } });
      expect(me.status).toBe(200);

      const socket = io(`${hub.url}/dashboard`, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const logout = await fetch(`${hub.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
      expect(logout.status).toBe(204);
      expect(logout.headers.get('set-cookie')).toMatch(/^thresh_session=;/);
      expect(await dropped).toBe('io server disconnect');
      expect((await fetch(`${hub.url}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
    });
  });

  describe('rate limits', () => {
    it('refuses an address after repeated failed logins with 429 and Retry-After, whatever the password', async () => {
      // The limit is 5 failures; earlier tests in this suite already spent some of them.
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt++) {
        statuses.push((await new HubApi(hub.url).request('POST', '/api/auth/login', { username: 'admin', password: 'guess' })).status);
      }
      expect(statuses[0]).toBe(401);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
      const response = await fetch(`${hub.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('refuses an address after repeated bad credentials, without counting good ones', async () => {
      for (let attempt = 0; attempt < 20; attempt++) expect((await admin.request('GET', '/api/nodes')).status).toBe(200);
      const results = await waitFor('the limit to bite', async () => {
        const status = (await admin.request('GET', '/api/nodes', undefined, 'thresh_cli_default_bad')).status;
        return status === 429 ? status : undefined;
      });
      expect(results).toBe(429);
    });
  });

  function connect(key: string): Promise<Socket> {
    const socket = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => reject(error));
    });
  }

  async function connects(key: string): Promise<boolean> {
    try {
      (await connect(key)).close();
      return true;
    } catch {
      return false;
    }
  }
});

describe('logins guessed from many addresses', () => {
  let hub: TestHub;

  beforeAll(async () => {
    // Each request names its address, as a proxy in front of the hub would.
    hub = await startTestHub('logins', { HUB_LOGIN_FAILURE_LIMIT: '3', TRUST_PROXY: 'true' });
  });

  afterAll(async () => {
    await hub?.close();
  });

  const login = async (address: string, password: string) => {
    const started = Date.now();
    const response = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username: 'admin', password }),
    });
    return { status: response.status, ms: Date.now() - started };
  };

  it('refuses an address that failed too often, but not the user from elsewhere', async () => {
    for (let attempt = 0; attempt < 3; attempt++) expect((await login('10.1.0.1', 'guess')).status).toBe(401);
    expect((await login('10.1.0.1', ADMIN_PASSWORD)).status).toBe(429);
    expect((await login('10.1.0.2', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('slows a username guessed from many addresses, in parallel too, and still lets its owner in', async () => {
    // Past five failures of the username (three above), every attempt on it waits its turn.
    for (const address of ['10.2.0.1', '10.2.0.2', '10.2.0.3', '10.2.0.4']) expect((await login(address, 'guess')).status).toBe(401);
    const parallel = await Promise.all(['10.3.0.1', '10.3.0.2', '10.3.0.3', '10.3.0.4'].map((address) => login(address, 'guess')));
    expect(parallel.map((attempt) => attempt.status)).toEqual([401, 401, 401, 401]);
    // One second a turn at this count: the last of four waited behind the other three.
    expect(Math.max(...parallel.map((attempt) => attempt.ms))).toBeGreaterThanOrEqual(3500);
    // The owner, from where they logged in before, does not queue behind the guesser; from a new place, waits and gets in.
    expect((await login('10.1.0.2', ADMIN_PASSWORD)).status).toBe(200);
    expect((await login('10.4.0.1', ADMIN_PASSWORD)).status).toBe(200);
  });
});
