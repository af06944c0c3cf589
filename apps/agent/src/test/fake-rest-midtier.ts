import { AGENT_REST_PREFIX, AGENT_SESSION_HEADER, AgentCommand, AgentRegistration, CommandUpdate, ErrorCode, ERROR_STATUS, MetricsReport } from '@thresh/protocol';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';

interface HeldPoll {
  agentId: string;
  response: ServerResponse;
  timer: NodeJS.Timeout;
}

/**
 * The mid-tier's REST routes for agents (libs/protocol agent-rest.ts) and its /health, over real HTTP on loopback,
 * keeping what it was told. It can refuse WebSocket upgrades, as a proxy that lets none through does, and serve
 * HTTPS with a given certificate.
 */
export class FakeRestMidtier {
  readonly server: Server | HttpsServer;
  readonly registrations: AgentRegistration[] = [];
  readonly reports: MetricsReport[] = [];
  readonly updates: { agentId: string; update: CommandUpdate }[] = [];
  readonly unregistered: string[] = [];
  /** The `wait` of every poll for commands, in order. */
  readonly pollWaits: number[] = [];
  healthChecks = 0;
  /** Each agent's session token, as the register answer gave it: every later request must name it. */
  private readonly sessions = new Map<string, string>();
  private readonly queued = new Map<string, AgentCommand[]>();
  private readonly held = new Set<HeldPoll>();
  private port = 0;

  constructor(
    private readonly apiKey: string,
    private readonly options: {
      refuseWebSockets?: boolean;
      tls?: { key: string; cert: string };
      /** Answers a registration that presents no node credential with this one, as the hub does a node's first. */
      issueCredential?: string;
    } = {},
  ) {
    const handle = (request: IncomingMessage, response: ServerResponse) => void this.route(request, response);
    this.server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
    if (options.refuseWebSockets) this.server.on('upgrade', refuseUpgrade);
  }

  get url(): string {
    return `${this.server instanceof HttpsServer ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Listens on a free port, or on the port it had before a stop. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Closes every connection, as a crashed or unplugged mid-tier would. */
  async stop(): Promise<void> {
    for (const poll of this.held) clearTimeout(poll.timer);
    this.held.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Lets WebSocket upgrades reach whoever else listens for them (a socket.io server attached later). */
  acceptWebSockets(): void {
    this.server.off('upgrade', refuseUpgrade);
  }

  /** Sessions time out: the next request of every agent is answered 409 not_registered. */
  forgetSessions(): void {
    this.sessions.clear();
  }

  /** Hands a command down: at once to a poll held open, else to the next poll. */
  queueCommand(agentId: string, command: AgentCommand): void {
    this.queued.set(agentId, [...(this.queued.get(agentId) ?? []), command]);
    for (const poll of this.held) if (poll.agentId === agentId) this.answerPoll(poll);
  }

  reportedSeqs(): number[] {
    return this.reports.flatMap((report) => report.samples.map((sample) => sample.seq));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    if (url.pathname === '/health') {
      this.healthChecks++;
      return send(response, 200, { status: 'ok' });
    }
    if (!url.pathname.startsWith(AGENT_REST_PREFIX)) return fail(response, 'not_found', `no route ${url.pathname}`);
    if (request.headers.authorization !== `Bearer ${this.apiKey}`) return fail(response, 'unauthorized', 'Invalid or revoked key');
    const route = `${request.method} ${url.pathname.slice(AGENT_REST_PREFIX.length)}`;
    const body = request.method === 'POST' ? ((await readJson(request)) as Record<string, unknown>) : {};
    if (route === 'POST /register') {
      const registration = body as unknown as AgentRegistration;
      this.registrations.push(registration);
      const session = randomUUID();
      this.sessions.set(registration.agentId, session);
      const issued = !registration.nodeCredential && this.options.issueCredential ? { nodeCredential: this.options.issueCredential } : {};
      return send(response, 200, { nodeId: randomUUID(), nodeName: registration.nodeName, lastSeq: null, session, ...issued });
    }
    const agentId = route === 'GET /commands' ? (url.searchParams.get('agentId') ?? '') : String(body['agentId']);
    const session = this.sessions.get(agentId);
    if (session && request.headers[AGENT_SESSION_HEADER] !== session) return fail(response, 'forbidden', `This request does not name agent ${agentId}'s session`);
    if (route === 'POST /unregister') {
      this.unregistered.push(agentId);
      this.sessions.delete(agentId);
      response.writeHead(204).end();
      return;
    }
    if (!session) return fail(response, 'not_registered', 'This agent has no session: register again');
    if (route === 'POST /metrics') {
      const report = body as unknown as MetricsReport;
      this.reports.push(report);
      return send(response, 200, { accepted: report.samples.length });
    }
    if (route === 'POST /command-updates') {
      this.updates.push({ agentId, update: body['update'] as CommandUpdate });
      return send(response, 200, { accepted: true });
    }
    if (route === 'GET /commands') {
      const wait = Number(url.searchParams.get('wait') ?? 0);
      this.pollWaits.push(wait);
      const poll: HeldPoll = { agentId, response, timer: setTimeout(() => this.answerPoll(poll), wait * 1000) };
      this.held.add(poll);
      response.on('close', () => {
        clearTimeout(poll.timer);
        this.held.delete(poll);
      });
      if (this.queued.get(agentId)?.length) this.answerPoll(poll);
      return;
    }
    fail(response, 'not_found', `no route ${route}`);
  }

  private answerPoll(poll: HeldPoll): void {
    clearTimeout(poll.timer);
    this.held.delete(poll);
    const commands = this.queued.get(poll.agentId) ?? [];
    this.queued.delete(poll.agentId);
    send(poll.response, 200, { commands, cancelled: [] });
  }
}

function refuseUpgrade(_request: IncomingMessage, socket: Duplex): void {
  socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
  socket.destroy();
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function fail(response: ServerResponse, code: ErrorCode, message: string): void {
  send(response, ERROR_STATUS[code], { statusCode: ERROR_STATUS[code], code, message });
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}
