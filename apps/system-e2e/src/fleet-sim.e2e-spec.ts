import type { CommandResponse } from '@thresh/protocol';
import { DIST, waitFor } from '@thresh/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RunningSystem, startSystem } from './support/system';

jest.setTimeout(180_000);

const run = promisify(execFile);

interface FleetStats {
  agents: { total: number; registered: number };
  reports: { sent: number; acked: number; refused: number; lost: number };
  samples: { sent: number; acked: number };
  commands: { received: number; answered: number };
}

/** The smoke size of the benchmarks: simulated agents over the real protocol, through a real midtier. */
describe('fleet simulator: 300 agents over Socket.IO and REST through one midtier', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem('fleetsim');
  });

  afterAll(async () => {
    await system?.stop();
  });

  const simulate = async (transport: 'socketio' | 'rest', agents: number, key: string): Promise<FleetStats> => {
    const { stdout } = await run(
      process.execPath,
      [join(DIST, 'fleet-sim', 'main.js'), '--url', system.midtierUrl, '--key', key, '--agents', String(agents), '--transport', transport,
        '--interval', '2', '--duration', '15', '--ramp', '3', '--poll-interval', '1', '--name-prefix', `${transport}-`, '--json'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as FleetStats;
  };

  it('registers every agent, has every report acknowledged, and answers a command', async () => {
    const key = await system.api.createKey('agent');
    const runs = Promise.all([simulate('socketio', 200, key), simulate('rest', 100, key)]);
    await waitFor('300 simulated nodes online', async () => (await system.api.request<{ total: number }>('GET', '/api/nodes?status=online&limit=1')).body.total === 300, 60_000);
    const command = await system.api.request<CommandResponse>('POST', '/api/nodes/rest-7/up', { blueprint: 'alpine-minimal', name: 'simulated' });
    expect(command.status).toBe(202);
    const [socket, rest] = await runs;
    for (const [label, stats, agents] of [['socketio', socket, 200], ['rest', rest, 100]] as const) {
      console.log(`fleet-sim ${label}: ${stats.agents.registered}/${stats.agents.total} agents, reports ${stats.reports.acked}/${stats.reports.sent} acknowledged, samples ${stats.samples.acked}/${stats.samples.sent}`);
      expect({ label, registered: stats.agents.registered, refused: stats.reports.refused, lost: stats.reports.lost }).toEqual({ label, registered: agents, refused: 0, lost: 0 });
      expect(stats.reports.acked).toBe(stats.reports.sent);
      expect(stats.samples.acked).toBeGreaterThanOrEqual(agents * 5);
    }
    expect(rest.commands.answered).toBe(1);
    const answered = await system.api.request<CommandResponse>('GET', `/api/commands/${command.body.id}`);
    expect(answered.body).toEqual(expect.objectContaining({ state: 'succeeded', result: { simulated: true } }));
  });
});
