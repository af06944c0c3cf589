import { AGENT_NAMESPACE, AgentCommand, AgentToMidtierEvents, MetricsReport, MidtierToAgentEvents } from '@thresh/protocol';
import { agentRegistration, freePort, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from 'socket.io';
import { FakeRestMidtier } from '../test/fake-rest-midtier';
import { measuredSample, sampleBufferIn } from '../test/measurements';
import { CONFIG_DEFAULTS } from './agent-config';
import { AgentRuntime } from './agent-runtime';
import { agentStateWhen } from '../test/agent-state-when';
import { readAgentState } from './agent-state';

jest.setTimeout(15_000);

const API_KEY = 'thresh_live_default_autotest';
describe('AgentRuntime with transport auto', () => {
  let home: string;
  let midtier: FakeRestMidtier;
  let runtime: AgentRuntime | undefined;
  let socketServer: Server<AgentToMidtierEvents, MidtierToAgentEvents> | undefined;
  let logs: string[];
  const kept: string[] = [];
  let commands: unknown[];
  const registration = agentRegistration();

  const startRuntime = (url: string, websocketRetryMs?: number): AgentRuntime => {
    const buffer = sampleBufferIn(home);
    const started = new AgentRuntime({
      config: { ...CONFIG_DEFAULTS, 'midtier-url': url, 'api-key': API_KEY, transport: 'auto', 'metrics-interval': 1, 'reconnect-delay': 1, 'poll-interval': 1 },
      registration,
      buffer,
      collect: async () => measuredSample(),
      log: (message) => logs.push(message),
      keepNodeCredential: (credential) => kept.push(credential),
      commands: { run: (command) => commands.push(command), cancel: () => undefined, registered: () => undefined },
      websocketRetryMs,
    });
    started.start();
    runtime = started;
    return started;
  };

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'agent-runtime-'));
    process.env['THRESH_HOME'] = home;
    midtier = new FakeRestMidtier(API_KEY, { refuseWebSockets: true });
    await midtier.start();
    [logs, commands] = [[], []];
  });

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    await socketServer?.close();
    socketServer = undefined;
    await midtier.stop();
    delete process.env['THRESH_HOME'];
    rmSync(home, { recursive: true, force: true });
  });

  it('polls over REST when WebSockets are refused but the host answers HTTP, and says why', async () => {
    const agent = startRuntime(midtier.url);
    const state = await agentStateWhen('REST in use', (candidate) => candidate.status === 'connected' && candidate.transport.startsWith('rest'));
    expect(state).toEqual(
      expect.objectContaining({
        transport: 'rest (polling every 1s)',
        fallbackReason: `WebSockets unavailable (connection to ${new URL(midtier.url).host} failed: websocket error: Unexpected server response: 403)`,
      }),
    );
    expect(logs).toContainEqual(`${state.fallbackReason}: using REST polling`);
    expect(midtier.healthChecks).toBeGreaterThan(0);
    expect(agent.status).toBe('connected');

    await waitFor('samples over REST', () => midtier.reports.length > 0);
    const command: AgentCommand = { id: randomUUID(), kind: 'environment.list', payload: {}, deadline: new Date(Date.now() + 60_000).toISOString() };
    midtier.queueCommand(registration.agentId, command);
    await waitFor('the command handed to the runner', () => commands.length === 1);
    expect(commands).toEqual([command]);
    expect(await agent.sendCommandUpdate({ commandId: command.id, state: 'succeeded', result: { environments: [] } })).toBe(true);
    expect(midtier.updates).toHaveLength(1);
  });

  it('stays on Socket.IO when the host takes connections but answers nothing, not even HTTP', async () => {
    const silentHost = createNetServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => silentHost.listen(0, '127.0.0.1', resolve));
    try {
      startRuntime(`http://127.0.0.1:${(silentHost.address() as AddressInfo).port}`);
      // Two failed WebSocket attempts come within 1.5 s (reconnect-delay 1), and the health check after them.
      await sleep(2500);
      expect(readAgentState()).toEqual(expect.objectContaining({ status: 'connecting', transport: 'socketio (websocket)', fallbackReason: null }));
      expect(logs).toContainEqual(expect.stringMatching(/^cannot connect: connection to 127\.0\.0\.1:\d+ failed: websocket error/));
      expect(logs.filter((line) => line.includes('using REST polling'))).toEqual([]);
    } finally {
      await runtime?.stop();
      await new Promise((resolve) => silentHost.close(resolve));
    }
  });

  it('stays on Socket.IO when the port is closed: the host is down, REST would not get through either', async () => {
    startRuntime(`http://127.0.0.1:${await freePort()}`);
    await sleep(2500);
    expect(readAgentState()).toEqual(expect.objectContaining({ status: 'connecting', transport: 'socketio (websocket)', fallbackReason: null }));
    expect(logs).toContainEqual(expect.stringMatching(/^cannot connect: cannot reach 127\.0\.0\.1:\d+: connection refused \(is the midtier running\?\)$/));
    expect(logs.filter((line) => line.includes('using REST polling'))).toEqual([]);
  });

  it('moves back to Socket.IO once WebSockets get through, losing and repeating no sample', async () => {
    startRuntime(midtier.url, 1000);
    await agentStateWhen('REST in use', (candidate) => candidate.status === 'connected' && candidate.transport.startsWith('rest'));
    await waitFor('samples over REST', () => midtier.reports.length > 0);

    const socketReports: MetricsReport[] = [];
    socketServer = new Server<AgentToMidtierEvents, MidtierToAgentEvents>(midtier.server, { transports: ['websocket'] });
    const agents = socketServer.of(AGENT_NAMESPACE);
    agents.use((socket, next) => next(socket.handshake.auth['key'] === API_KEY ? undefined : new Error('unauthorized')));
    agents.on('connection', (socket) => {
      socket.on('agent:register', (registered, ack) => ack({ ok: true, nodeId: randomUUID(), nodeName: registered.nodeName, lastSeq: null }));
      socket.on('metrics:report', (report, ack) => {
        socketReports.push(report);
        ack({ ok: true, accepted: report.samples.length });
      });
    });
    midtier.acceptWebSockets();

    const state = await agentStateWhen('Socket.IO in use', (candidate) => candidate.status === 'connected' && candidate.transport === 'socketio (websocket)');
    expect(state.fallbackReason).toBeNull();
    expect(logs).toContainEqual('WebSockets work again: moved from REST polling to socketio (websocket)');
    await waitFor('samples over Socket.IO', () => socketReports.length > 0);

    // REST polling has stopped, and the session was handed over rather than closed.
    const polls = midtier.pollWaits.length;
    await sleep(1500);
    expect(midtier.pollWaits).toHaveLength(polls);
    expect(midtier.unregistered).toEqual([]);

    await runtime?.stop();
    const sent = [...midtier.reportedSeqs(), ...socketReports.flatMap((report) => report.samples.map((sample) => sample.seq))];
    expect(sent).toEqual(sent.map((_seq, index) => index));
  });
});
