import type { LoginResponse, NodeListResponse } from '@thresh/protocol';
import { AppProcess, createTestDatabase, freePort, HubApi, startApp, waitFor } from '@thresh/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { temporaryHome } from './support/system';

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

interface StartOutput {
  dashboard: string;
  username: string;
  password: string;
  agentKey: string;
}

async function waitForReady(launcher: AppProcess): Promise<StartOutput> {
  await launcher.waitForOutput(/^Agent key: \S+$/m, 90_000);
  const [, dashboard] = launcher.logs.match(/^Dashboard: (\S+)$/m) ?? [];
  const [, username, password] = launcher.logs.match(/^Admin login: (\S+) \/ (\S+)$/m) ?? [];
  const [, agentKey] = launcher.logs.match(/^Agent key: (\S+)$/m) ?? [];
  return { dashboard, username, password, agentKey };
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
      DATABASE_URL: '',
      THRESH_ADMIN_PASSWORD: '',
    };
    const cert = join(dataDir.path, 'tls', 'cert.pem');
    const hub = httpsHub(`https://127.0.0.1:${hubPort}`, cert);
    // Run from the data folder, so a developer's own .env cannot change what this test sees.
    const first = startApp('npm start', 'launcher/main.cjs', env, { cwd: dataDir.path });
    let firstRun: StartOutput;
    let nodeId: string;
    try {
      const startedAt = Date.now();
      firstRun = await waitForReady(first);
      console.log(`npm start ready in ${Date.now() - startedAt} ms (first start, embedded PostgreSQL)`);
      expect(firstRun.dashboard).toBe(`https://localhost:${hubPort}/`);
      expect(firstRun.username).toBe('admin');
      expect(firstRun.agentKey).toMatch(/^thresh_live_default_/);
      expect(first.logs).toContain(`NODE_EXTRA_CA_CERTS=${cert}`);

      // HTTPS with a certificate of the machine's own: trusted as the README says, refused without it.
      const nodes = await hub.nodes(firstRun.username, firstRun.password);
      expect(nodes.total).toBe(1);
      expect(nodes.items[0].status).toBe('online');
      nodeId = nodes.items[0].id;
      expect((await hub.curl('/')).status).toBe(200);
      await expect(fetch(`https://127.0.0.1:${hubPort}/health`)).rejects.toThrow();
    } finally {
      await first.stop('SIGINT');
    }
    expect(first.child.exitCode).toBe(0);
    await expect(hub.curl('/health')).rejects.toThrow();

    const second = startApp('npm start again', 'launcher/main.cjs', env, { cwd: dataDir.path });
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
    const launcher = startApp(
      'npm start with DATABASE_URL',
      'launcher/main.cjs',
      { THRESH_DATA_DIR: home.path, DATABASE_URL: database.url, HUB_PORT: String(hubPort), MIDTIER_PORT: String(await freePort()), HUB_DISABLE_HTTPS: 'true' },
      { cwd: home.path },
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
