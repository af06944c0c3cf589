import { runThresh, startApp, waitFor, WORKSPACE_ROOT } from '@thresh/testing';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import si from 'systeminformation';
import { join } from 'node:path';
import { RunningSystem, startSystem, temporaryHome } from './support/system';

interface StatusJson {
  agentId: string | null;
  status: string;
  hubUrl: string | null;
  transport: string | null;
  uptimeSeconds: number | null;
  lastReportAt: string | null;
  lastError: string | null;
}

describe('agent -> midtier -> hub -> PostgreSQL, with the built apps and the real thresh binary', () => {
  let system: RunningSystem;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };
  const thresh = (...args: string[]) => runThresh(args, env);

  beforeAll(async () => {
    system = await startSystem('agentpath');
  });

  afterAll(async () => {
    await thresh('agent', 'stop');
    await system?.stop();
    home.remove();
  });

  it('configures the agent, refusing bad keys and values without touching the file', async () => {
    const agentKey = await system.api.createKey('agent', 'e2e node');
    for (const [key, value] of [
      ['midtier-url', system.midtierUrl],
      ['api-key', agentKey],
      ['metrics-interval', '2'],
      ['node-name', 'e2e-node'],
    ]) {
      expect(await thresh('agent', 'config', 'set', key, value)).toEqual(expect.objectContaining({ code: 0 }));
    }
    const before = readFileSync(join(home.path, 'agent.json'), 'utf8');

    const badValue = await thresh('agent', 'config', 'set', 'metrics-interval', '0');
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('Invalid value for metrics-interval: must be at least 1');
    const unknownKey = await thresh('agent', 'config', 'set', 'colour', 'blue');
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toContain('Unknown setting "colour"');
    const midtierKeyAsAgent = await thresh('agent', 'config', 'set', 'api-key', await system.api.createKey('midtier'));
    expect(midtierKeyAsAgent.code).toBe(2);
    expect(midtierKeyAsAgent.stderr).toContain('thresh_live_');
    expect(readFileSync(join(home.path, 'agent.json'), 'utf8')).toBe(before);

    const list = await thresh('agent', 'config', 'list', '--json');
    const settings = JSON.parse(list.stdout).settings as { key: string; value: string }[];
    const shownKey = settings.find((setting) => setting.key === 'api-key')?.value;
    expect(shownKey).toMatch(/^thresh_live_default_\w{4}…$/);
    expect(list.stdout).not.toContain(agentKey);
    expect((await thresh('agent', 'config', 'get', 'node-name')).stdout.trim()).toBe('e2e-node');
  });

  it('starts as a daemon, connects, and the hub lists the node online within 10 s', async () => {
    const startedAt = Date.now();
    const start = await thresh('agent', 'start');
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/Agent started \(pid \d+\)/);

    const node = await waitFor(
      'the node in GET /api/nodes',
      async () => (await system.api.nodes()).items.find((candidate) => candidate.name === 'e2e-node' && candidate.status === 'online'),
      10_000,
    );
    const elapsed = Date.now() - startedAt;
    console.log(`node online in the hub API ${elapsed} ms after "thresh agent start"`);
    expect(node).toEqual(
      expect.objectContaining({ platform: process.platform, arch: process.arch, agentVersion: '0.1.0', lastSeenAt: expect.any(String) }),
    );
    expect(node.cpuCores).toBeGreaterThan(0);
    expect(node.memoryTotalBytes).toBeGreaterThan(0);

    const status = await waitFor('a connected status', async () => {
      const result = JSON.parse((await thresh('agent', 'status', '--json')).stdout) as StatusJson;
      return result.status === 'connected' ? result : undefined;
    });
    expect(status).toEqual(
      expect.objectContaining({ agentId: node.agentId, hubUrl: system.midtierUrl, transport: expect.stringContaining('socketio') }),
    );
    const human = await thresh('agent', 'status');
    for (const label of ['Agent ID:', 'Status:', 'Connected ✓', 'Hub URL:', 'Transport:', 'Uptime:', 'Last Report:']) {
      expect(human.stdout).toContain(label);
    }
  });

  it('stores what the agent measured: the same totals this machine reports, sane utilisation', async () => {
    const [memory, disks] = await Promise.all([si.mem(), si.fsSize()]);
    const root = disks.find((disk) => disk.mount === '/') ?? disks[0];
    const node = await waitFor('a first sample on the node', async () => {
      const found = (await system.api.nodes()).items.find((candidate) => candidate.name === 'e2e-node');
      return found?.lastSampleAt ? found : undefined;
    });
    expect(node.memoryTotalBytes).toBe(memory.total);
    expect(node.diskTotalBytes).toBe(root.size);
    expect(node.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(node.cpuPercent).toBeLessThanOrEqual(100);
    expect(node.memoryUsedBytes).toBeGreaterThan(0);
    expect(node.memoryUsedBytes).toBeLessThanOrEqual(memory.total);
    expect(Math.abs((node.diskUsedBytes ?? 0) - root.used)).toBeLessThan(root.size * 0.05);
    // Without a Docker engine (as on the test machines) there is nothing to count.
    if (!existsSync('/var/run/docker.sock')) expect(node.containersRunning).toBe(0);
    else expect(node.containersRunning).toBeGreaterThanOrEqual(0);
    const history = await system.api.request<{ points: unknown[] }>('GET', '/api/nodes/e2e-node/metrics?resolution=raw');
    expect(history.body.points.length).toBeGreaterThan(0);
  });

  it('shows the node to its owner: thresh node list, info and metrics', async () => {
    const cli = { THRESH_HOME: home.path, THRESH_TOKEN: system.api.token, THRESH_HUB: system.hubUrl };
    const list = await runThresh(['node', 'list'], cli);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+PLATFORM\s+STATUS\s+CPU\s+MEMORY\s+DISK\s+CONTAINERS\s+ENVS\s+VERSION\s+LAST SEEN$/m);
    expect(list.stdout).toMatch(/^e2e-node\s+\S+\s+online\s+\d+%\s+/m);
    expect(list.stdout).toContain('1 node(s): 1 online, 0 offline');
    const listed = JSON.parse((await runThresh(['node', 'list', '--json'], cli)).stdout) as { nodes: { id: string }[]; online: number };
    expect(listed.online).toBe(1);

    const byPrefix = JSON.parse((await runThresh(['node', 'info', listed.nodes[0].id.slice(0, 8), '--json'], cli)).stdout) as { name: string };
    expect(byPrefix.name).toBe('e2e-node');
    const info = await runThresh(['node', 'info', 'e2e-node'], cli);
    expect(info.stdout).toMatch(/^Status:\s+online$/m);
    const unknown = await runThresh(['node', 'info', 'no-such-node'], cli);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('No node with id, name or id prefix "no-such-node"');

    const current = await runThresh(['node', 'metrics', 'e2e-node'], cli);
    expect(current.stdout).toMatch(/^CPU:\s+\[[#.]{20}\]\s+\d+%$/m);
    expect(current.stdout).toMatch(/^Memory:\s+\[[#.]{20}\]/m);
    const history = await runThresh(['node', 'metrics', 'e2e-node', '--since', '1h'], cli);
    expect(history.stdout).toMatch(/e2e-node: \d+ point\(s\) at raw resolution/);
    expect((await runThresh(['node', 'metrics', 'e2e-node', '--since', 'yesterday'], cli)).code).toBe(2);
  });

  it('keeps reporting: last seen moves forward with each interval', async () => {
    const first = (await system.api.nodes()).items.find((node) => node.name === 'e2e-node')?.lastSeenAt ?? '';
    const later = await waitFor(
      'a newer report',
      async () => {
        const seen = (await system.api.nodes()).items.find((node) => node.name === 'e2e-node')?.lastSeenAt;
        return seen && seen > first ? seen : undefined;
      },
      10_000,
    );
    expect(Date.parse(later)).toBeGreaterThan(Date.parse(first));
  });

  it('stops the daemon; status says Stopped and the node goes offline', async () => {
    const stop = await thresh('agent', 'stop');
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/Agent stopped \(pid \d+\)/);
    const status = JSON.parse((await thresh('agent', 'status', '--json')).stdout) as StatusJson;
    expect(status.status).toBe('stopped');
    expect((await thresh('agent', 'status')).stdout).toContain('Stopped');
    await waitFor(
      'the node to go offline',
      async () => (await system.api.nodes()).items.find((node) => node.name === 'e2e-node')?.status === 'offline',
      10_000,
    );
  });

  it('disconnects a running agent whose key is revoked, and says why', async () => {
    const created = await system.api.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'agent', name: 'to revoke' });
    const revokedHome = temporaryHome();
    const revokedEnv = { THRESH_HOME: revokedHome.path };
    const status = async () => JSON.parse((await runThresh(['agent', 'status', '--json'], revokedEnv)).stdout) as StatusJson;
    try {
      await runThresh(['agent', 'config', 'set', 'midtier-url', system.midtierUrl], revokedEnv);
      await runThresh(['agent', 'config', 'set', 'api-key', created.body.key], revokedEnv);
      await runThresh(['agent', 'config', 'set', 'reconnect-delay', '1'], revokedEnv);
      expect((await runThresh(['agent', 'start'], revokedEnv)).code).toBe(0);
      await waitFor('a connected status', async () => (await status()).status === 'connected');

      expect((await system.api.request('DELETE', `/api/keys/${created.body.id}`)).status).toBe(200);
      const after = await waitFor('a disconnected status', async () => {
        const result = await status();
        return result.status === 'disconnected' ? result : undefined;
      }, 10_000);
      expect(after.lastError).toBe('the midtier refused the api-key: Credential has been revoked');
    } finally {
      await runThresh(['agent', 'stop'], revokedEnv);
      revokedHome.remove();
    }
  });

  it('refuses to run unconfigured or misconfigured, with exit 2 and what to fix', async () => {
    const empty = temporaryHome();
    try {
      const result = await runThresh(['agent', 'run'], { THRESH_HOME: empty.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('midtier-url is not set');
      expect(result.stderr).toContain('api-key is not set');

      writeFileSync(join(empty.path, 'agent.json'), JSON.stringify({ 'metrics-interval': 0 }));
      const handEdited = await runThresh(['agent', 'run'], { THRESH_HOME: empty.path });
      expect(handEdited.code).toBe(2);
      expect(handEdited.stderr).toContain('metrics-interval');
      expect((await runThresh(['agent', 'config', 'set', 'metrics-interval', '5'], { THRESH_HOME: empty.path })).code).toBe(0);
      expect((await runThresh(['agent', 'config', 'get', 'metrics-interval'], { THRESH_HOME: empty.path })).stdout.trim()).toBe('5');
    } finally {
      empty.remove();
    }
  });

  it('serves the dashboard at / and the OpenAPI document at /api/docs', async () => {
    const index = await fetch(`${system.hubUrl}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<app-root>');
    expect((await fetch(`${system.hubUrl}/nodes`)).status).toBe(200);
    expect((await fetch(`${system.hubUrl}/api/docs`)).status).toBe(200);
    const unknownApi = await fetch(`${system.hubUrl}/api/nope`);
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toEqual(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('refusing to boot on bad configuration', () => {
  it('midtier: exits 1 naming thresh_mid_ when given an agent key', async () => {
    const midtier = startApp('midtier', 'midtier/main.js', {
      HUB_URL: 'http://127.0.0.1:9',
      MIDTIER_KEY: 'thresh_live_default_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000',
    });
    expect(await midtier.waitForExit()).toBe(1);
    expect(midtier.logs).toContain('MIDTIER_KEY: must be a mid-tier key starting with thresh_mid_');
  });

  it('hub: exits 1 naming each bad variable', async () => {
    const hub = startApp('hub', 'hub/main.js', { HUB_PORT: 'seventy', DATABASE_URL: 'mysql://nope' });
    expect(await hub.waitForExit()).toBe(1);
    expect(hub.logs).toContain('HUB_PORT');
    expect(hub.logs).toContain('DATABASE_URL: expected a postgres:// connection URL');
    expect(hub.logs).not.toContain(WORKSPACE_ROOT);
  });
});
