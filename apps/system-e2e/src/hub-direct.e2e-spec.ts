import { runThresh, waitFor } from '@thresh/testing';
import { RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

jest.setTimeout(120_000);

describe('agents straight to the hub: a small fleet needs no midtier', () => {
  let system: RunningSystem;
  const home = temporaryHome();
  const agent = { THRESH_HOME: home.path };

  beforeAll(async () => {
    system = await startSystem('hubdirect');
    await startAgent(home, [
      ['midtier-url', system.hubUrl],
      ['api-key', await system.api.createKey('agent')],
      ['metrics-interval', '1'],
      ['node-name', 'direct'],
    ]);
  });

  afterAll(async () => {
    await runThresh(['agent', 'stop'], agent);
    await system?.stop();
    home.remove();
  });

  it('registers, reports and runs commands with the hub as its midtier, and goes offline when it stops', async () => {
    const node = await waitFor('the node online with measurements', async () => {
      const answer = await system.api.request<{ status: string; cpuPercent: number | null }>('GET', '/api/nodes/direct');
      return answer.body.status === 'online' && answer.body.cpuPercent !== null ? answer.body : undefined;
    }, 30_000);
    expect(node.status).toBe('online');
    const midtier = (await (await fetch(`${system.midtierUrl}/health`)).json()) as { agentsConnected: number };
    expect(midtier.agentsConnected).toBe(0);

    const listed = await runThresh(['node', 'blueprints', 'direct', '--json'], { THRESH_TOKEN: system.api.token, THRESH_HUB: system.hubUrl });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { blueprints: unknown[] }).blueprints.length).toBeGreaterThan(0);

    expect((await runThresh(['agent', 'stop'], agent)).code).toBe(0);
    await waitFor('the node offline', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/direct')).body.status === 'offline', 30_000);
  });
});
