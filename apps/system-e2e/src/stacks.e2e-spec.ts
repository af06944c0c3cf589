import type { CommandListResponse, EnvironmentInfo, StackResponse } from '@thresh/protocol';
import { freePort, runThresh, waitFor, WORKSPACE_ROOT } from '@thresh/testing';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { RunningSystem, startSystem, temporaryHome } from './support/system';

const run = promisify(execFile);

/** A TCP service (a store answering "pong"), an HTTP API that asks it, a web page that asks the API. */
function webapp(ports: { store: number; api: number; web: number }, overrides: Record<string, object> = {}) {
  const node = (script: string) => `exec node -e ${JSON.stringify(script)}`;
  return {
    name: 'webapp',
    targetNode: 'stack-node',
    services: {
      store: {
        command: node(`require('net').createServer((s) => { s.on('error', () => {}); s.end('pong'); }).listen(${ports.store}, '127.0.0.1')`),
        ports: [ports.store],
        healthcheck: { tcp: ports.store, interval: 0.2 },
      },
      api: {
        command: node(
          `const [host, port] = process.env.STORE.split(':'); require('http').createServer((q, r) => { const s = require('net').connect(Number(port), host); let d = ''; s.on('data', (c) => (d += c)); s.on('end', () => r.end('api:' + d)); s.on('error', (e) => { r.statusCode = 502; r.end(e.message); }); }).listen(${ports.api}, '127.0.0.1')`,
        ),
        ports: [ports.api],
        dependsOn: ['store'],
        env: { STORE: '${store.host}:${store.port}' },
        healthcheck: { http: `http://127.0.0.1:${ports.api}/`, interval: 0.2 },
      },
      web: {
        command: node(`require('http').createServer((q, r) => fetch(process.env.API).then((a) => a.text()).then((t) => r.end('web<' + t + '>' + (process.env.THEME || '')))).listen(${ports.web}, '127.0.0.1')`),
        ports: [ports.web],
        depends_on: ['api'],
        env: { API: 'http://${api.host}:${api.port}/' },
        healthcheck: { http: `http://127.0.0.1:${ports.web}/`, interval: 0.2 },
      },
      ...overrides,
    },
  };
}

describe('stacks: a three-service stack through hub and midtier onto a real agent, with the real thresh binary', () => {
  let system: RunningSystem;
  const home = temporaryHome();
  const agent = { THRESH_HOME: home.path };
  let cli: NodeJS.ProcessEnv;
  const ports = { store: 0, api: 0, web: 0 };
  const file = (name: string, content: object, yaml = false) => {
    const path = join(home.path, name);
    writeFileSync(path, yaml ? stringify(content) : JSON.stringify(content, null, 2));
    return path;
  };
  const thresh = (...args: string[]) => runThresh(args, cli);
  const environments = async () => JSON.parse((await runThresh(['list', '--json'], agent)).stdout) as EnvironmentInfo[];
  const pidOf = async (name: string) => (await environments()).find((environment) => environment.name === name)?.runningAs;

  beforeAll(async () => {
    system = await startSystem('stacks');
    cli = { THRESH_TOKEN: system.api.token, THRESH_HUB: system.hubUrl };
    [ports.store, ports.api, ports.web] = [await freePort(), await freePort(), await freePort()];
    const key = await system.api.createKey('agent', 'stack node');
    for (const [setting, value] of [['midtier-url', system.midtierUrl], ['api-key', key], ['metrics-interval', '5'], ['node-name', 'stack-node']]) {
      expect((await runThresh(['agent', 'config', 'set', setting, value], agent)).code).toBe(0);
    }
    expect((await runThresh(['agent', 'start'], agent)).code).toBe(0);
    await waitFor('stack-node online', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/stack-node')).body.status === 'online', 20_000);
  });

  afterAll(async () => {
    for (const environment of await environments()) await runThresh(['destroy', environment.name, '--yes'], agent);
    await runThresh(['agent', 'stop'], agent);
    await system?.stop();
    home.remove();
  });

  it('rejects a cycle before anything starts, naming it', async () => {
    const cyclic = file('cyclic.json', webapp(ports, { store: { command: 'exec sleep 60', dependsOn: ['web'] } }));
    const refused = await thresh('stack', 'deploy', '-f', cyclic, '--wait');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Circular dependency detected: store -> web -> api -> store');
    expect(await environments()).toEqual([]);
    expect((await system.api.request('GET', '/api/stacks/webapp')).status).toBe(404);
  });

  it('deploys the services in dependency order, each once its dependencies are healthy; the web page answers', async () => {
    const deployed = await thresh('stack', 'deploy', '-f', file('webapp.yaml', webapp(ports), true), '--wait');
    expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(deployed.stdout).toContain('Deploying stack webapp on stack-node (store, api, web)');
    expect(deployed.stdout).toMatch(/✓ store healthy after [\d.]+s\n(.*\n)*✓ api healthy after [\d.]+s\n(.*\n)*✓ web healthy after [\d.]+s/);
    expect(deployed.stdout).toContain('Stack webapp is running: 3 service(s) healthy on stack-node');

    const stack = JSON.parse((await thresh('stack', 'info', 'webapp', '--json')).stdout) as StackResponse;
    const at = Object.fromEntries(stack.services.map((service) => [service.name, { started: Date.parse(service.startedAt ?? ''), healthy: Date.parse(service.healthyAt ?? '') }]));
    console.log(`webapp timings (ms after store started): ${JSON.stringify(Object.fromEntries(Object.entries(at).map(([name, t]) => [name, { started: t.started - at['store'].started, healthy: t.healthy - at['store'].started }])))}`);
    expect(at['api'].started).toBeGreaterThanOrEqual(at['store'].healthy);
    expect(at['web'].started).toBeGreaterThanOrEqual(at['api'].healthy);
    const { stdout } = await run('curl', ['-s', `http://127.0.0.1:${ports.web}/`]);
    expect(stdout).toBe('web<api:pong>');
  });

  it('updates only what changed: web restarts, store and api keep running', async () => {
    const [store, api, web] = [await pidOf('webapp-store'), await pidOf('webapp-api'), await pidOf('webapp-web')];
    const themed = webapp(ports);
    Object.assign(themed.services.web, { env: { ...themed.services.web.env, THEME: 'dark' } });
    const updated = await thresh('stack', 'deploy', '-f', file('themed.json', themed), '--wait');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('Deploying stack webapp on stack-node (web)');
    expect([await pidOf('webapp-store'), await pidOf('webapp-api')]).toEqual([store, api]);
    expect(await pidOf('webapp-web')).not.toBe(web);
    expect((await run('curl', ['-s', `http://127.0.0.1:${ports.web}/`])).stdout).toBe('web<api:pong>dark');
  });

  it('rolls back (stops) what a failing deployment started, and exits non-zero naming the service', async () => {
    const broken = webapp(ports, {
      cache: { command: 'exec sleep 60', healthcheck: { command: 'exit 1', interval: 0.2, retries: 2 } },
      worker: { command: 'exec sleep 60', dependsOn: ['cache'] },
    });
    // Web as deployed last, so only the two new services are started.
    Object.assign(broken.services.web, { env: { ...broken.services.web.env, THEME: 'dark' } });
    const failed = await thresh('stack', 'deploy', '-f', file('broken.json', broken), '--wait');
    expect(failed.code).toBe(5);
    expect(failed.stderr).toMatch(/Stack webapp failed|Stack webapp degraded/);
    expect(failed.stderr).toContain('service cache failed: health check');
    // Rolled back: the failed service is stopped, kept for inspection; the one waiting on it never started.
    const states = Object.fromEntries((await environments()).map((environment) => [environment.name, environment.status]));
    expect(states['webapp-cache']).toBe('stopped');
    expect(states['webapp-worker']).toBeUndefined();
    // What ran before this deployment still runs.
    expect((await run('curl', ['-s', `http://127.0.0.1:${ports.web}/`])).stdout).toBe('web<api:pong>dark');
  });

  it('deploys the README\'s example with curl and a token, exactly as the README shows', async () => {
    const example = join(WORKSPACE_ROOT, 'examples', 'stacks', 'hello-stack.json');
    const { stdout } = await run('curl', [
      '-s', '-X', 'POST', `${system.hubUrl}/api/stacks/deploy`,
      '-H', `Authorization: Bearer ${system.api.token}`, '-H', 'Content-Type: application/json', '-d', `@${example}`,
    ]);
    expect(JSON.parse(stdout)).toEqual(expect.objectContaining({ name: 'hello-stack', status: 'deploying', node: 'stack-node', changed: ['store', 'api', 'web'] }));
    const settled = await waitFor('hello-stack settled', async () => {
      const stack = (await system.api.request<StackResponse>('GET', '/api/stacks/hello-stack')).body;
      return stack.status === 'deploying' ? undefined : stack;
    }, 30_000);
    expect(settled.status).toBe('running');
    expect((await run('curl', ['-s', 'http://127.0.0.1:17303/'])).stdout).toBe('Hello! The API says: store says pong\n');
    expect((await thresh('stack', 'destroy', 'hello-stack', '--volumes')).code).toBe(0);
    await waitFor('hello-stack removed', async () => !(await environments()).some((environment) => environment.name.startsWith('hello-stack-')), 30_000);
  });

  it('stops a stack and destroys it', async () => {
    expect((await thresh('stack', 'stop', 'webapp')).code).toBe(0);
    await waitFor('webapp stopped', async () => (await system.api.request<StackResponse>('GET', '/api/stacks/webapp')).body.status === 'stopped', 30_000);
    expect(await pidOf('webapp-web')).toBeNull();
    const list = await thresh('stack', 'list');
    expect(list.stdout).toMatch(/^webapp\s+stopped\s+/m);
    expect((await thresh('stack', 'destroy', 'webapp', '--volumes')).code).toBe(0);
    await waitFor('webapp removed', async () => !(await environments()).some((environment) => environment.name.startsWith('webapp-')), 30_000);
    expect((await thresh('stack', 'info', 'webapp')).code).toBe(4);
    const kinds = (await system.api.request<CommandListResponse>('GET', '/api/commands?node=stack-node')).body.items.map((command) => command.kind);
    expect(kinds.filter((kind) => kind === 'stack.stop')).toHaveLength(3);
  });
});
