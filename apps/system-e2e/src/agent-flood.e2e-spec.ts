import { AGENT_NAMESPACE, generateCredential } from '@thresh/protocol';
import { agentRegistration } from '@thresh/testing';
import { io } from 'socket.io-client';
import { RunningSystem, startSystem } from './support/system';

type Outcome = { connected: true; registered: boolean } | { connected: false; status?: number };

/** An agent speaking the real protocol from a chosen loopback address. */
async function tryAgent(midtierUrl: string, key: string, localAddress: string, register = false): Promise<Outcome> {
  const socket = io(`${midtierUrl}${AGENT_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false, localAddress } as never);
  try {
    return await new Promise<Outcome>((resolve) => {
      socket.once('connect_error', (error: Error & { data?: { status?: number } }) => resolve({ connected: false, status: error.data?.status }));
      socket.once('connect', async () => {
        if (!register) return resolve({ connected: true, registered: false });
        const ack = await socket.emitWithAck('agent:register', agentRegistration({ nodeName: 'good-agent' }));
        resolve({ connected: true, registered: ack.ok === true });
      });
    });
  } finally {
    socket.close();
  }
}

describe('a flood of bad agent connections', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem('flood');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('is refused at the midtier, by address, while good agents elsewhere keep connecting', async () => {
    const goodKey = await system.api.createKey('agent', 'good');
    // Six waves of ten bad agents at once: failures are counted as they happen, so the waves after the limit are refused.
    const flood: Outcome[] = [];
    for (let wave = 0; wave < 6; wave++) {
      flood.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            tryAgent(system.midtierUrl, index % 2 ? generateCredential('agent', 'default') : 'thresh_live_default_garbage', '127.0.0.1'),
          ),
        )),
      );
    }
    const statuses = flood.map((outcome) => (outcome.connected ? 'connected' : outcome.status));
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(20);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(40);
    expect(statuses).not.toContain('connected');

    // The flooding address is blocked even with a good key; another address is not.
    expect(await tryAgent(system.midtierUrl, goodKey, '127.0.0.1')).toEqual({ connected: false, status: 429 });
    expect(await tryAgent(system.midtierUrl, goodKey, '127.0.0.2', true)).toEqual({ connected: true, registered: true });
    expect(system.midtier.logs).toMatch(/rejected an agent key \(thresh_live_…\) from .*127\.0\.0\.1/);
  });
});
