import type { EnvironmentInfo, StackResponse } from '@thresh/protocol';
import { freePort, runThresh, waitFor, WebSocketBlockingProxy } from '@thresh/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

jest.setTimeout(180_000);

describe('WebSockets blocked on the way: transport auto falls back to REST, and metrics, commands and stacks all work', () => {
  let system: RunningSystem;
  let proxy: WebSocketBlockingProxy;
  const home = temporaryHome();
  const agent = { THRESH_HOME: home.path };
  let cli: NodeJS.ProcessEnv;
  const thresh = (...args: string[]) => runThresh(args, cli);
  const status = async () => JSON.parse((await runThresh(['agent', 'status', '--json'], agent)).stdout) as { status: string; transport: string; fallbackReason: string | null };

  beforeAll(async () => {
    system = await startSystem('wsblocked');
    proxy = await WebSocketBlockingProxy.start(system.midtierUrl);
    cli = { THRESH_TOKEN: system.api.token, THRESH_HUB: system.hubUrl };
    await startAgent(home, [
      ['midtier-url', proxy.url],
      ['api-key', await system.api.createKey('agent')],
      ['transport', 'auto'],
      ['reconnect-delay', '1'],
      ['poll-interval', '1'],
      ['metrics-interval', '2'],
      ['node-name', 'behind-proxy'],
    ]);
  });

  afterAll(async () => {
    const environments = JSON.parse((await runThresh(['list', '--json'], agent)).stdout || '[]') as EnvironmentInfo[];
    for (const environment of environments) await runThresh(['destroy', environment.name, '--yes'], agent);
    await runThresh(['agent', 'stop'], agent);
    await proxy?.close();
    await system?.stop();
    home.remove();
  });

  it('polls over REST once WebSockets are refused, and says why', async () => {
    const polling = await waitFor('the agent on REST', async () => {
      const current = await status();
      return current.status === 'connected' && current.transport.startsWith('rest') ? current : undefined;
    }, 60_000);
    expect(polling.fallbackReason).toMatch(/^WebSockets unavailable \(.*403.*\)/);
    expect(proxy.refusedUpgrades).toBeGreaterThanOrEqual(2);
    const human = await runThresh(['agent', 'status'], agent);
    expect(human.stdout).toMatch(/Transport:\s+rest \(polling every 1s\)/);
    const midtier = (await (await fetch(`${system.midtierUrl}/health`)).json()) as { agentsConnected: number; agentsPolling: number };
    expect(midtier).toEqual(expect.objectContaining({ agentsConnected: 1, agentsPolling: 1 }));
  });

  it('stores metrics sent over REST', async () => {
    const node = await waitFor('samples from behind the proxy', async () => {
      const answer = await system.api.request<{ status: string; cpuPercent: number | null }>('GET', '/api/nodes/behind-proxy');
      return answer.body.status === 'online' && answer.body.cpuPercent !== null ? answer.body : undefined;
    }, 30_000);
    expect(node.status).toBe('online');
    const history = await system.api.request<{ points: unknown[] }>('GET', '/api/nodes/behind-proxy/metrics?resolution=raw');
    expect(history.body.points.length).toBeGreaterThan(0);
  });

  it('runs a command handed down through a long poll', async () => {
    const listed = await thresh('node', 'blueprints', 'behind-proxy', '--json');
    expect(listed.code).toBe(0);
    const names = (JSON.parse(listed.stdout) as { blueprints: { name: string }[] }).blueprints.map((blueprint) => blueprint.name);
    expect(names).toEqual(expect.arrayContaining(['alpine-minimal', 'node-dev']));
  });

  it('deploys a stack and stops it, over REST', async () => {
    const port = await freePort();
    const file = join(home.path, 'polled.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'polled',
        targetNode: 'behind-proxy',
        services: { echo: { command: `exec node -e "require('net').createServer((s) => s.end('polled')).listen(${port}, '127.0.0.1')"`, ports: [port], healthcheck: { tcp: port, interval: 0.5 } } },
      }),
    );
    const deployed = await thresh('stack', 'deploy', '-f', file, '--wait', '--timeout', '60s');
    expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(deployed.stdout).toContain('Stack polled is running: 1 service(s) healthy on behind-proxy');

    expect((await thresh('stack', 'destroy', 'polled')).code).toBe(0);
    await waitFor('the stack\'s service stopped', async () => {
      const environments = JSON.parse((await runThresh(['list', '--json'], agent)).stdout) as EnvironmentInfo[];
      return environments.find((environment) => environment.name === 'polled-echo')?.status === 'stopped';
    }, 30_000);
    expect((await system.api.request<StackResponse>('GET', '/api/stacks/polled')).status).toBe(404);
  });
});
