import type { AuditListResponse, KeyResponse, LoginResponse, NodeListResponse, NodeMetricsResponse, NodeResponse, StackResponse } from '@thresh/protocol';
import { createTestDatabase, freePort, HubApi, runThresh, waitFor, WORKSPACE_ROOT } from '@thresh/testing';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { embeddedDatabase, embeddedServerPid, startLauncher, StartOutput, waitForReady } from './support/launcher';
import { withPreviousReleaseHub } from './support/previous-release';
import { startAgent, temporaryHome } from './support/system';

const run = promisify(execFile);

/** The hub over HTTPS as a person reaches it: curl trusting the certificate npm start made. */
function httpsHub(base: string, cert: string) {
  const curl = async (path: string, args: string[] = []) => {
    const { stdout } = await run('curl', ['-s', '--cacert', cert, '-w', '\n%{http_code}', ...args, `${base}${path}`]);
    const [body, status] = [stdout.slice(0, stdout.lastIndexOf('\n')), Number(stdout.slice(stdout.lastIndexOf('\n') + 1))];
    return { status, body: body.startsWith('{') ? (JSON.parse(body) as unknown) : body };
  };
  return {
    curl,
    async nodes(username: string, password: string): Promise<NodeListResponse> {
      const login = await curl('/api/auth/login', ['-H', 'content-type: application/json', '-d', JSON.stringify({ username, password })]);
      const { token } = login.body as LoginResponse;
      return (await curl('/api/nodes', ['-H', `authorization: Bearer ${token}`])).body as NodeListResponse;
    },
  };
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start on an embedded PostgreSQL', () => {
  const dataDir = temporaryHome();

  afterAll(() => dataDir.remove());

  it('runs the whole system, prints how to use it, stops on SIGINT, and comes back with the same data', async () => {
    const hubPort = await freePort();
    const env = {
      THRESH_DATA_DIR: dataDir.path,
      HUB_PORT: String(hubPort),
      MIDTIER_PORT: String(await freePort()),
    };
    const cert = join(dataDir.path, 'tls', 'cert.pem');
    const hub = httpsHub(`https://127.0.0.1:${hubPort}`, cert);
    // Run from the data folder, so a developer's own .env cannot change what this test sees.
    const first = startLauncher('npm start', env, dataDir.path);
    let firstRun: StartOutput;
    let nodeId: string;
    let serverPid = 0;
    try {
      const startedAt = Date.now();
      firstRun = await waitForReady(first);
      console.log(`npm start ready in ${Date.now() - startedAt} ms (first start, embedded PostgreSQL)`);
      expect(firstRun.dashboard).toBe(`https://localhost:${hubPort}/`);
      expect(firstRun.username).toBe('admin');
      expect(firstRun.agentKey).toMatch(/^thresh_live_default_/);

      // The CLI: refused by the self-signed hub with the problem and the fix named, then in with the login line as printed.
      const cli = { THRESH_HOME: join(dataDir.path, 'cli-home') };
      const untrusted = await runThresh(['auth', 'login', '--hub', `https://localhost:${hubPort}`, '--username', 'admin', '--password-stdin'], cli, `${firstRun.password}\n`);
      expect({ code: untrusted.code, stderr: untrusted.stderr }).toEqual({ code: 5, stderr: expect.stringMatching(/certificate (is self-signed|chains up to a self-signed CA)[\s\S]*--ca/) });
      const [, loginLine] = first.logs.match(/^CLI login: npm run thresh -- (.+)$/m) ?? [];
      expect(loginLine).toBe(`auth login --hub https://localhost:${hubPort} --ca ${cert} --username admin`);
      expect((await runThresh([...loginLine.split(' '), '--password-stdin'], cli, `${firstRun.password}\n`)).code).toBe(0);
      // The CA is remembered with the login: later commands trust it with no flag.
      const listed = await runThresh(['node', 'list', '--json'], cli);
      expect({ code: listed.code, nodes: (JSON.parse(listed.stdout || '{}') as { nodes?: unknown[] }).nodes?.length }).toEqual({ code: 0, nodes: 1 });

      // HTTPS with a certificate of the machine's own: trusted as the README says, refused without it.
      const nodes = await hub.nodes(firstRun.username, firstRun.password);
      expect(nodes.total).toBe(1);
      expect(nodes.items[0].status).toBe('online');
      nodeId = nodes.items[0].id;
      expect((await hub.curl('/')).status).toBe(200);
      await expect(fetch(`https://127.0.0.1:${hubPort}/health`)).rejects.toThrow();

      // A real PostgreSQL server, reachable as the README says, holding what the hub stored.
      expect(first.logs).toMatch(/^Database: postgres:\/\/thresh@127\.0\.0\.1:\d+\/thresh \(PostgreSQL 18\./m);
      const database = embeddedDatabase(dataDir.path);
      expect(first.logs).not.toContain(database.password);
      const rows = await query(database.url, `SELECT version() AS version, (SELECT count(*)::int FROM nodes) AS nodes`);
      expect(rows[0]).toEqual({ version: expect.not.stringContaining('PGlite'), nodes: 1 });
      expect(rows[0].version).toMatch(/^PostgreSQL 18\.\d+ on x86_64/);
      serverPid = embeddedServerPid(dataDir.path);
      // PostgreSQL refuses root: as root, npm start runs it as an unprivileged user.
      const { stdout: owner } = await run('ps', ['-o', 'user=', '-p', String(serverPid)]);
      expect(owner.trim()).toBe(process.getuid?.() === 0 ? 'postgres' : (await run('id', ['-un'])).stdout.trim());
      // Bound to loopback with a password: no trust login, not even from this machine.
      await expect(query(database.url.replace(encodeURIComponent(database.password), 'wrong'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await first.stop('SIGINT');
    }
    expect(first.child.exitCode).toBe(0);
    await expect(hub.curl('/health')).rejects.toThrow();
    // The server stopped with it, cleanly (its lock file gone), and the data folder is free for the next start.
    expect(isAlive(serverPid)).toBe(false);
    expect(existsSync(join(dataDir.path, 'postgresql', 'postmaster.pid'))).toBe(false);

    const second = startLauncher('npm start again', env, dataDir.path);
    try {
      const secondRun = await waitForReady(second);
      expect(secondRun.password).toBe(firstRun.password);
      expect(secondRun.agentKey).toBe(firstRun.agentKey);
      expect(second.logs).not.toContain('made a self-signed certificate');
      const nodes = await waitFor('the same node online', async () => {
        const list = await hub.nodes(secondRun.username, secondRun.password);
        return list.items[0]?.status === 'online' ? list : undefined;
      });
      expect(nodes.total).toBe(1);
      expect(nodes.items[0].id).toBe(nodeId);
    } finally {
      await second.stop('SIGTERM');
    }
    expect(second.child.exitCode).toBe(0);
  }, 240_000);

  it('runs against the PostgreSQL at DATABASE_URL when it is set, over plain HTTP when HTTPS is turned off', async () => {
    const database = await createTestDatabase('npmstart');
    const home = temporaryHome();
    const hubPort = await freePort();
    const launcher = startLauncher(
      'npm start with DATABASE_URL',
      { THRESH_DATA_DIR: home.path, DATABASE_URL: database.url, HUB_PORT: String(hubPort), MIDTIER_PORT: String(await freePort()), HUB_DISABLE_HTTPS: 'true' },
      home.path,
    );
    try {
      const ready = await waitForReady(launcher);
      expect(launcher.logs).toContain('using the PostgreSQL at DATABASE_URL');
      expect(ready.dashboard).toBe(`http://localhost:${hubPort}/`);
      const api = new HubApi(`http://127.0.0.1:${hubPort}`);
      await api.login(ready.username, ready.password);
      expect((await api.nodes()).items.map((node) => node.status)).toEqual(['online']);
    } finally {
      await launcher.stop('SIGINT');
      await database.drop();
      home.remove();
    }
    expect({ code: launcher.child.exitCode, signal: launcher.child.signalCode, logs: launcher.child.exitCode === 0 ? '' : launcher.logs }).toEqual({ code: 0, signal: null, logs: '' });
  });
});

/** What an operator sees of the fleet's past, read through the API: equal before and after a move of the database. */
async function fleetRecord(api: HubApi) {
  const get = async <T>(path: string) => {
    const answer = await api.request<T>('GET', path);
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status}`);
    return answer.body;
  };
  const { status: _status, ...node } = await get<NodeResponse>('/api/nodes/old-node');
  return {
    node,
    samples: (await get<NodeMetricsResponse>('/api/nodes/old-node/metrics?resolution=raw')).points,
    keys: (await get<KeyResponse[]>('/api/keys')).map(({ lastUsedAt: _lastUsedAt, ...key }) => key),
    users: await get<unknown[]>('/api/users'),
    cluster: await get<unknown>('/api/clusters/web'),
    stack: await get<StackResponse>('/api/stacks/hello-stack'),
    audit: (await get<AuditListResponse>('/api/audit?limit=500')).items,
  };
}

describe('npm start on a data folder of the previous release (PGlite)', () => {
  it('moves admin, keys, nodes, history, stacks and audit into the embedded PostgreSQL, checks them, and keeps the old folder renamed', async () => {
    const home = temporaryHome();
    const agentHome = temporaryHome();
    const adminPassword = 'previous-release-password';
    try {
      const before = await withPreviousReleaseHub(home.path, adminPassword, async (hubUrl) => {
        const api = new HubApi(hubUrl);
        await api.login('admin', adminPassword);
        const agentKey = await api.createKey('agent', 'fleet key');
        await api.createKey('midtier', 'edge midtier');
        expect((await api.request('POST', '/api/users', { username: 'olga', password: 'olga-password', role: 'operator' })).status).toBe(201);
        await startAgent(agentHome, [['midtier-url', hubUrl], ['api-key', agentKey], ['metrics-interval', '1'], ['node-name', 'old-node']]);
        await waitFor('a few samples of old-node', async () => (await api.request<NodeMetricsResponse>('GET', '/api/nodes/old-node/metrics?resolution=raw')).body.points?.length >= 3, 60_000);
        expect((await runThresh(['agent', 'stop'], { THRESH_HOME: agentHome.path })).code).toBe(0);
        await waitFor('old-node offline', async () => (await api.request<NodeResponse>('GET', '/api/nodes/old-node')).body.status === 'offline', 60_000);
        expect((await api.request('POST', '/api/clusters', { name: 'web', description: 'front ends' })).status).toBe(201);
        expect((await api.request('POST', '/api/clusters/web/nodes', { node: 'old-node' })).status).toBe(201);
        const stack = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'examples', 'stacks', 'hello-stack.json'), 'utf8')) as object;
        expect((await api.request('POST', '/api/stacks/deploy', { ...stack, targetNode: 'old-node' })).status).toBeLessThan(300);
        return fleetRecord(api);
      });
      expect(before.samples.length).toBeGreaterThanOrEqual(3);
      expect(before.audit.length).toBeGreaterThanOrEqual(5);

      const hubPort = await freePort();
      const launcher = startLauncher(
        'npm start after the upgrade',
        { THRESH_DATA_DIR: home.path, HUB_PORT: String(hubPort), MIDTIER_PORT: String(await freePort()), HUB_DISABLE_HTTPS: 'true' },
        home.path,
      );
      try {
        const ready = await waitForReady(launcher);
        expect(ready.password).toBe(adminPassword);
        expect(launcher.logs).toMatch(/moved [\d,]+ rows in \d+ tables, each compared after the move; the PGlite folder is kept as \S+postgres\.pglite-moved/);
        const api = new HubApi(`http://127.0.0.1:${hubPort}`);
        await api.login('admin', adminPassword);
        const after = await fleetRecord(api);
        // Everything of before is there as it was; npm start has only added its own keys, node and audit rows since.
        expect(after.node).toEqual(before.node);
        expect(after.samples).toEqual(before.samples);
        expect(after.users).toEqual(before.users);
        expect(after.cluster).toEqual(before.cluster);
        expect(after.stack).toEqual(before.stack);
        expect(after.keys).toEqual(expect.arrayContaining(before.keys));
        expect(after.keys.map((key) => key.name)).toEqual(expect.arrayContaining(['local midtier (npm start)', 'local agent (npm start)']));
        expect(after.audit).toEqual(expect.arrayContaining(before.audit));
        // The old folder is kept, renamed, until its owner deletes it; it is not read again.
        expect(existsSync(join(home.path, 'postgres'))).toBe(false);
        expect(existsSync(join(home.path, 'postgres.pglite-moved', 'PG_VERSION'))).toBe(true);
      } finally {
        await launcher.stop('SIGINT');
      }
      expect({ code: launcher.child.exitCode, logs: launcher.child.exitCode === 0 ? '' : launcher.logs }).toEqual({ code: 0, logs: '' });
    } finally {
      await runThresh(['agent', 'stop'], { THRESH_HOME: agentHome.path });
      agentHome.remove();
      home.remove();
    }
  }, 240_000);
});

/** Lets `uid` through the folders on the way to `path` it may not enter (o+x), for as long as `work` runs. */
async function reachableBy<T>(path: string, uid: number, gid: number, work: () => Promise<T>): Promise<T> {
  const opened: [string, number][] = [];
  for (let folder = path; ; folder = dirname(folder)) {
    const { mode, uid: owner, gid: group } = statSync(folder);
    const bit = owner === uid ? 0o100 : group === gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) {
      opened.push([folder, mode & 0o7777]);
      chmodSync(folder, (mode & 0o7777) | 0o001);
    }
    if (folder === dirname(folder)) break;
  }
  try {
    return await work();
  } finally {
    for (const [folder, mode] of opened) chmodSync(folder, mode);
  }
}

describe('npm run db as an ordinary user', () => {
  it('runs the embedded PostgreSQL as that user, reachable as printed, and stops it on Ctrl-C', async () => {
    const home = temporaryHome();
    const asRoot = process.getuid?.() === 0;
    // As root, the test plays an ordinary user: nobody, owning its data folder.
    const user = asRoot ? { uid: Number((await run('id', ['-u', 'nobody'])).stdout), gid: Number((await run('id', ['-g', 'nobody'])).stdout) } : undefined;
    if (user) chownSync(home.path, user.uid, user.gid);
    const expectedUser = asRoot ? 'nobody' : (await run('id', ['-un'])).stdout.trim();
    try {
      await reachableBy(WORKSPACE_ROOT, user?.uid ?? process.getuid?.() ?? 0, user?.gid ?? process.getgid?.() ?? 0, async () => {
        const launcher = startLauncher('npm run db', { THRESH_DATA_DIR: home.path, THRESH_EMBEDDED_PG_PORT: String(await freePort()) }, home.path, { args: ['database'], ...user });
        let pid = 0;
        try {
          await launcher.waitForOutput(/^Database: postgres:\/\/thresh@127\.0\.0\.1:\d+\/thresh \(PostgreSQL 18\.\d+, data in \S+; password: "database\.password" in \S+\)$/m, 60_000);
          const [row] = await query(embeddedDatabase(home.path).url, 'SELECT current_user AS role, current_database() AS database');
          expect(row).toEqual({ role: 'thresh', database: 'thresh' });
          pid = embeddedServerPid(home.path);
          expect((await run('ps', ['-o', 'user=', '-p', String(pid)])).stdout.trim()).toBe(expectedUser);
        } finally {
          await launcher.stop('SIGINT');
        }
        expect({ code: launcher.child.exitCode, logs: launcher.child.exitCode === 0 ? '' : launcher.logs }).toEqual({ code: 0, logs: '' });
        expect(isAlive(pid)).toBe(false);
      });
    } finally {
      home.remove();
    }
  });
});
