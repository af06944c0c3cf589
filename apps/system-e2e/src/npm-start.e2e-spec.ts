import { AppProcess, createTestDatabase, freePort, HubApi, startApp, waitFor } from '@thresh/testing';
import { temporaryHome } from './support/system';

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
    // Run from the data folder, so a developer's own .env cannot change what this test sees.
    const first = startApp('npm start', 'launcher/main.cjs', env, { cwd: dataDir.path });
    let firstRun: StartOutput;
    let nodeId: string;
    try {
      const startedAt = Date.now();
      firstRun = await waitForReady(first);
      console.log(`npm start ready in ${Date.now() - startedAt} ms (first start, embedded PostgreSQL)`);
      expect(firstRun.dashboard).toBe(`http://localhost:${hubPort}/`);
      expect(firstRun.username).toBe('admin');
      expect(firstRun.agentKey).toMatch(/^thresh_live_default_/);

      const api = new HubApi(`http://127.0.0.1:${hubPort}`);
      await api.login(firstRun.username, firstRun.password);
      const nodes = await api.nodes();
      expect(nodes.total).toBe(1);
      expect(nodes.items[0].status).toBe('online');
      nodeId = nodes.items[0].id;
      expect((await fetch(firstRun.dashboard)).status).toBe(200);
    } finally {
      await first.stop('SIGINT');
    }
    expect(first.child.exitCode).toBe(0);
    await expect(fetch(`http://127.0.0.1:${hubPort}/health`)).rejects.toThrow();

    const second = startApp('npm start again', 'launcher/main.cjs', env, { cwd: dataDir.path });
    try {
      const secondRun = await waitForReady(second);
      expect(secondRun.password).toBe(firstRun.password);
      expect(secondRun.agentKey).toBe(firstRun.agentKey);
      const api = new HubApi(`http://127.0.0.1:${hubPort}`);
      await api.login(secondRun.username, secondRun.password);
      const nodes = await waitFor('the same node online', async () => {
        const list = await api.nodes();
        return list.items[0]?.status === 'online' ? list : undefined;
      });
      expect(nodes.total).toBe(1);
      expect(nodes.items[0].id).toBe(nodeId);
    } finally {
      await second.stop('SIGTERM');
    }
    expect(second.child.exitCode).toBe(0);
  }, 240_000);

  it('runs against the PostgreSQL at DATABASE_URL when it is set', async () => {
    const database = await createTestDatabase('npmstart');
    const home = temporaryHome();
    const hubPort = await freePort();
    const launcher = startApp(
      'npm start with DATABASE_URL',
      'launcher/main.cjs',
      { THRESH_DATA_DIR: home.path, DATABASE_URL: database.url, HUB_PORT: String(hubPort), MIDTIER_PORT: String(await freePort()) },
      { cwd: home.path },
    );
    try {
      const ready = await waitForReady(launcher);
      expect(launcher.logs).toContain('using the PostgreSQL at DATABASE_URL');
      const api = new HubApi(`http://127.0.0.1:${hubPort}`);
      await api.login(ready.username, ready.password);
      expect((await api.nodes()).items.map((node) => node.status)).toEqual(['online']);
    } finally {
      await launcher.stop('SIGINT');
      await database.drop();
      home.remove();
    }
    expect(launcher.child.exitCode).toBe(0);
  });
});
