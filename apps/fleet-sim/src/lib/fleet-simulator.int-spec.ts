import {
  AGENT_NAMESPACE,
  AGENT_REST_PREFIX,
  AgentCommand,
  AgentRegistration,
  AgentToMidtierEvents,
  CommandUpdate,
  ERROR_STATUS,
  ErrorCode,
  generateCredential,
  MetricsReport,
  MidtierToAgentEvents,
} from '@thresh/protocol';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { FleetSimulator, FleetSimulatorError, FleetSimulatorOptions } from './fleet-simulator';
import { FleetStats } from './fleet-stats';

const AGENT_KEY = generateCredential('agent', 'default');
const AGENTS = 6;
const RUN_MS = 2000;
/** The hub already holds samples up to 41 for this node: its numbering must go on at 42. */
const NODE_WITH_HISTORY = 'sim-2';
const NODE_WITH_COMMAND = 'sim-1';

/** What a fake gateway was told, whichever link carried it. */
class GatewayRecord {
  readonly registrations: AgentRegistration[] = [];
  readonly reports: MetricsReport[] = [];
  readonly updates: CommandUpdate[] = [];
  readonly unregistered: string[] = [];
  readonly command: AgentCommand = {
    id: randomUUID(),
    kind: 'environment.list',
    payload: {},
    deadline: new Date(Date.now() + 60_000).toISOString(),
  };

  registered(registration: AgentRegistration): { ok: true; nodeId: string; nodeName: string; lastSeq: number | null } {
    this.registrations.push(registration);
    return { ok: true, nodeId: randomUUID(), nodeName: registration.nodeName, lastSeq: registration.nodeName === NODE_WITH_HISTORY ? 41 : null };
  }

  /** Each agent's acknowledged sample numbers, in the order they arrived. */
  seqsByAgent(): Map<string, number[]> {
    const seqs = new Map<string, number[]>();
    for (const report of this.reports) seqs.set(report.agentId, [...(seqs.get(report.agentId) ?? []), ...report.samples.map((sample) => sample.seq)]);
    return seqs;
  }

  sampleCount(): number {
    return this.reports.reduce((total, report) => total + report.samples.length, 0);
  }

  nodeNameOf(agentId: string): string | undefined {
    return this.registrations.find((registration) => registration.agentId === agentId)?.nodeName;
  }
}

interface FakeGateway {
  url: string;
  record: GatewayRecord;
  close(): Promise<void>;
}

/** The /agents namespace of a midtier: checks the key, acknowledges everything, hands sim-1 one command twice. */
async function startSocketGateway(): Promise<FakeGateway> {
  const record = new GatewayRecord();
  // /health answers 404: any answer tells the simulator something listens.
  const http = createServer((_request, response) => response.writeHead(404).end());
  const io = new Server<AgentToMidtierEvents, MidtierToAgentEvents>(http);
  const agents = io.of(AGENT_NAMESPACE);
  agents.use((socket, next) => {
    if (socket.handshake.auth['key'] === AGENT_KEY) return next();
    next(Object.assign(new Error('Invalid or revoked key'), { data: { code: 'unauthorized', status: 401 } }));
  });
  agents.on('connection', (socket) => {
    socket.on('agent:register', (registration, ack) => {
      ack(record.registered(registration));
      // Handed down twice, as a hub does when it has not heard back: the agent must run it once.
      if (registration.nodeName === NODE_WITH_COMMAND) for (let time = 0; time < 2; time++) socket.emit('command:run', record.command);
    });
    socket.on('metrics:report', (report, ack) => {
      record.reports.push(report);
      ack({ ok: true, accepted: report.samples.length });
    });
    socket.on('command:update', (update, ack) => {
      record.updates.push(update);
      ack({ ok: true, accepted: true });
    });
  });
  const url = await listen(http);
  return { url, record, close: () => new Promise((resolve) => io.close(() => resolve())) };
}

/**
 * The REST routes (AGENT_REST_PREFIX): long polls answered after their wait, sim-1's first poll brings the command
 * twice, and sim-3's second poll is answered 409 not_registered (its session timed out) so that it registers again.
 */
async function startRestGateway(): Promise<FakeGateway> {
  const record = new GatewayRecord();
  const pollsByAgent = new Map<string, number>();
  const commandHandedDown = { done: false };
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (!url.pathname.startsWith(AGENT_REST_PREFIX)) return send(response, 404, { statusCode: 404, code: 'not_found', message: 'no such route' });
    if (request.headers.authorization !== `Bearer ${AGENT_KEY}`) return fail(response, 'unauthorized', 'Invalid or revoked key');
    const route = `${request.method} ${url.pathname.slice(AGENT_REST_PREFIX.length)}`;
    const body = request.method === 'POST' ? await readJson(request) : {};
    if (route === 'POST /register') return send(response, 200, withoutOk(record.registered(body as AgentRegistration)));
    if (route === 'POST /metrics') {
      const report = body as MetricsReport;
      record.reports.push(report);
      return send(response, 200, { accepted: report.samples.length });
    }
    if (route === 'POST /command-updates') {
      record.updates.push((body as { update: CommandUpdate }).update);
      return send(response, 200, { accepted: true });
    }
    if (route === 'POST /unregister') {
      record.unregistered.push(String(body['agentId']));
      response.writeHead(204).end();
      return;
    }
    if (route === 'GET /commands') {
      const agentId = url.searchParams.get('agentId') ?? '';
      const poll = (pollsByAgent.get(agentId) ?? 0) + 1;
      pollsByAgent.set(agentId, poll);
      const nodeName = record.nodeNameOf(agentId);
      if (nodeName === 'sim-3' && poll === 2) return fail(response, 'not_registered', `Agent ${agentId} has no session here: register again`);
      if (nodeName === NODE_WITH_COMMAND && !commandHandedDown.done) {
        commandHandedDown.done = true;
        return send(response, 200, { commands: [record.command, record.command], cancelled: [] });
      }
      const timer = setTimeout(() => send(response, 200, { commands: [], cancelled: [] }), Number(url.searchParams.get('wait') ?? 0) * 1000);
      response.on('close', () => clearTimeout(timer));
      return;
    }
    fail(response, 'not_found', `no route ${route}`);
  };
  const http = createServer((request, response) => void route(request, response));
  const url = await listen(http);
  return {
    url,
    record,
    close: () => {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      return closed;
    },
  };
}

/** Runs a small fleet for RUN_MS; returns the stats just before stop() and after it. */
async function runFleet(gateway: FakeGateway, options: Partial<FleetSimulatorOptions>): Promise<{ running: FleetStats; final: FleetStats }> {
  const fleet = new FleetSimulator({
    url: gateway.url,
    apiKey: AGENT_KEY,
    agents: AGENTS,
    intervalSeconds: 0.4,
    samplesPerReport: 2,
    environments: 2,
    rampSeconds: 0.3,
    tickMs: 50,
    retryBaseMs: 100,
    randomIds: true,
    ...options,
  });
  await fleet.start();
  await new Promise((resolve) => setTimeout(resolve, RUN_MS));
  const running = fleet.stats();
  const final = await fleet.stop();
  return { running, final };
}

/** What must hold whichever link carried it: every agent registered, every report and update acknowledged. */
function expectCleanRun(record: GatewayRecord, running: FleetStats, final: FleetStats): void {
  expect(running.agents).toMatchObject({ total: AGENTS, started: AGENTS, connected: AGENTS, registered: AGENTS, everRegistered: AGENTS, failing: 0 });
  expect(new Set(record.registrations.map((registration) => registration.agentId)).size).toBe(AGENTS);
  expect(new Set(record.registrations.map((registration) => registration.nodeName))).toEqual(new Set(Array.from({ length: AGENTS }, (_, index) => `sim-${index + 1}`)));

  // Each agent's samples are numbered without a gap or a repeat, from where the hub said it stood.
  const seqs = record.seqsByAgent();
  expect(seqs.size).toBe(AGENTS);
  for (const [agentId, agentSeqs] of seqs) {
    const first = record.nodeNameOf(agentId) === NODE_WITH_HISTORY ? 42 : 0;
    expect(agentSeqs).toEqual(Array.from({ length: agentSeqs.length }, (_, index) => first + index));
    expect(agentSeqs.length).toBeGreaterThanOrEqual(4);
  }

  // The command came twice and was answered once: running, then succeeded with the simulated result.
  expect(record.updates.map((update) => [update.commandId, update.state])).toEqual([
    [record.command.id, 'running'],
    [record.command.id, 'succeeded'],
  ]);
  expect(record.updates[1].result).toEqual({ simulated: true });

  // The stats match what the gateway saw, and add up.
  expect(final.reports).toEqual({ sent: record.reports.length, acked: record.reports.length, refused: 0, lost: 0, pending: 0 });
  expect(final.samples).toMatchObject({ sent: record.sampleCount(), acked: record.sampleCount(), refused: 0, lost: 0, pending: 0, dropped: 0 });
  expect(final.samples.generated).toBe(record.sampleCount());
  expect(final.registrations).toEqual({ sent: record.registrations.length, acked: record.registrations.length, refused: 0, lost: 0, pending: 0 });
  expect(final.commandUpdates).toEqual({ sent: 2, acked: 2, refused: 0, lost: 0, pending: 0 });
  expect(final.commands).toMatchObject({ received: 2, duplicates: 1, malformed: 0, answered: 1 });
  expect(final.commands.roundTrip.count).toBe(1);
  expect(final.latency.report.count).toBe(record.reports.length);
  expect(final.problems).toEqual([]);
  expect(final.ok).toBe(true);
}

describe('FleetSimulator', () => {
  it('over Socket.IO: registers every agent, has every report acknowledged with continuous numbering, answers a command once', async () => {
    const gateway = await startSocketGateway();
    try {
      const { running, final } = await runFleet(gateway, { transport: 'socketio' });
      expectCleanRun(gateway.record, running, final);
      expect(final.failures).toEqual({});
      expect(final.agents).toMatchObject({ registered: AGENTS, connected: AGENTS, reconnects: 0, disconnects: 0 });
    } finally {
      await gateway.close();
    }
  });

  it('over REST: the same, with a session lost and re-registered, and every session closed at the end', async () => {
    const gateway = await startRestGateway();
    try {
      const { running, final } = await runFleet(gateway, { transport: 'rest', pollIntervalSeconds: 0.1, pollWaitSeconds: 1 });
      expectCleanRun(gateway.record, running, final);
      // sim-3 lost its session once and registered again.
      expect(gateway.record.registrations).toHaveLength(AGENTS + 1);
      expect(final.agents.reconnects).toBe(1);
      expect(final.failures).toEqual({ 'poll refused (not_registered): Agent <id> has no session here: register again': 1 });
      expect(final.polls.sent).toBeGreaterThan(AGENTS);
      expect(new Set(gateway.record.unregistered).size).toBe(AGENTS);
    } finally {
      await gateway.close();
    }
  });

  it('fails fast, saying so, when nothing listens at the URL', async () => {
    const http = createServer();
    const url = await listen(http);
    await new Promise((resolve) => http.close(resolve));
    const fleet = new FleetSimulator({ url, apiKey: AGENT_KEY, agents: 10 });
    const startedAt = Date.now();

    await expect(fleet.start()).rejects.toThrow(FleetSimulatorError);
    await expect(fleet.start()).rejects.toThrow(/^cannot reach 127\.0\.0\.1:\d+: connection refused/);
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('gives up when the gateway refuses the key, before any agent got through', async () => {
    const gateway = await startSocketGateway();
    try {
      const fleet = new FleetSimulator({ url: gateway.url, apiKey: generateCredential('agent', 'other'), agents: 3, rampSeconds: 0, retryBaseMs: 100 });
      await fleet.start();
      await expect(fleet.aborted).resolves.toBe('key refused: Invalid or revoked key');
      const stats = await fleet.stop();

      expect(stats.ok).toBe(false);
      expect(stats.problems[0]).toBe('gave up: key refused: Invalid or revoked key');
      expect(stats.agents.everRegistered).toBe(0);
      expect(stats.failures['key refused: Invalid or revoked key']).toBeGreaterThanOrEqual(1);
      expect(gateway.record.registrations).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});

async function listen(http: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function withoutOk<T extends { ok: true }>(ack: T): Omit<T, 'ok'> {
  const { ok: _ok, ...rest } = ack;
  return rest;
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function fail(response: ServerResponse, code: ErrorCode, message: string): void {
  send(response, ERROR_STATUS[code], { statusCode: ERROR_STATUS[code], code, message });
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}
