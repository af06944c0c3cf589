import type { NodeListResponse } from '@thresh/protocol';
import { runThresh, waitFor } from '@thresh/testing';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningSystem, startSystem, temporaryHome } from './support/system';

interface ClusterUpJson {
  cluster: string;
  succeeded: number;
  results: { node: string; state: string; detail: string }[];
}

describe('thresh cluster up: one blueprint fanned out over the nodes of a cluster, in batches', () => {
  let system: RunningSystem;
  const homes = { 'fan-a': temporaryHome(), 'fan-b': temporaryHome() };
  let cli: NodeJS.ProcessEnv;
  const thresh = (...args: string[]) => runThresh(args, cli);

  /** Each node has its own "checked" blueprint: it passes on fan-b and fails on fan-a. */
  const writeBlueprints = (node: keyof typeof homes) => {
    const folder = join(homes[node].path, 'blueprints');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'hello.json'), JSON.stringify({ name: 'hello', scripts: { setup: `echo "hello from ${node}" > hello.txt` } }));
    writeFileSync(join(folder, 'checked.json'), JSON.stringify({ name: 'checked', scripts: { setup: node === 'fan-a' ? 'echo "disk check failed"; exit 1' : 'echo ok' } }));
  };

  beforeAll(async () => {
    system = await startSystem('clusterup');
    cli = { THRESH_TOKEN: system.api.token, THRESH_HUB: system.hubUrl };
    const key = await system.api.createKey('agent', 'fan-out nodes');
    for (const node of ['fan-a', 'fan-b'] as const) {
      writeBlueprints(node);
      const env = { THRESH_HOME: homes[node].path };
      for (const [setting, value] of [['midtier-url', system.midtierUrl], ['api-key', key], ['metrics-interval', '5'], ['node-name', node]]) {
        expect((await runThresh(['agent', 'config', 'set', setting, value], env)).code).toBe(0);
      }
      expect((await runThresh(['agent', 'start'], env)).code).toBe(0);
    }
    await waitFor(
      'both nodes online',
      async () => (await system.api.request<NodeListResponse>('GET', '/api/nodes?status=online')).body.total === 2,
      20_000,
    );
    expect((await thresh('cluster', 'create', 'fleet', '--description', 'fan-out test')).code).toBe(0);
    for (const node of ['fan-a', 'fan-b']) expect((await thresh('cluster', 'add-node', 'fleet', node)).code).toBe(0);
  });

  afterAll(async () => {
    for (const home of Object.values(homes)) await runThresh(['agent', 'stop'], { THRESH_HOME: home.path });
    await system?.stop();
    for (const home of Object.values(homes)) home.remove();
  });

  it('deploys on every node and says so per node', async () => {
    const result = await thresh('cluster', 'up', 'fleet', 'hello', '--name', 'greeting', '--batch-size', '1');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'Deploying hello as "greeting" on 2 node(s) of fleet, 1 at a time',
        '✓ fan-a: greeting is running (process driver)',
        '✓ fan-b: greeting is running (process driver)',
        '2 of 2 node(s) deployed',
      ]),
    );
    for (const home of Object.values(homes)) expect(existsSync(join(home.path, 'environments', 'greeting', 'workspace', 'hello.txt'))).toBe(true);
  });

  it('stops after the batch where a node failed, by default', async () => {
    const result = await thresh('cluster', 'up', 'fleet', 'checked', '--name', 'checked', '--batch-size', '1');
    expect(result.code).toBe(5);
    expect(result.stdout).toContain('✗ fan-a: failed: setup script exited with code 1');
    expect(result.stdout).toContain('- fan-b: not tried: an earlier node failed (--on-failure stop)');
    expect(result.stdout).toContain('0 of 2 node(s) deployed');
    expect(existsSync(join(homes['fan-b'].path, 'environments', 'checked'))).toBe(false);
  });

  it('tries every node with --on-failure continue, and reports each for scripts', async () => {
    await thresh('node', 'env', 'destroy', 'fan-a', 'checked');
    const result = await thresh('cluster', 'up', 'fleet', 'checked', '--name', 'checked', '--batch-size', '2', '--on-failure', 'continue', '--json');
    expect(result.code).toBe(5);
    const report = JSON.parse(result.stdout) as ClusterUpJson;
    expect(report).toEqual({
      cluster: 'fleet',
      succeeded: 1,
      results: [
        { node: 'fan-a', commandId: expect.any(String), state: 'failed', detail: 'failed: setup script exited with code 1' },
        { node: 'fan-b', commandId: expect.any(String), state: 'succeeded', detail: 'checked is running (process driver)' },
      ],
    });
  });

  it('refuses an unknown cluster with exit 4, and an empty one with exit 2', async () => {
    expect((await thresh('cluster', 'up', 'nowhere', 'hello', '--name', 'x')).code).toBe(4);
    await thresh('cluster', 'create', 'empty');
    const empty = await thresh('cluster', 'up', 'empty', 'hello', '--name', 'x');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('Cluster empty has no nodes');
  });
});
