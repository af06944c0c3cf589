import { sendAgentRestRequest, TIMEOUT_LADDER } from '@thresh/agent-wire';
import type { AgentRegistration, CommandUpdate, MetricsReport, RegisteredNode } from '@thresh/protocol';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { AgentLink, Exchange, LinkEvents, LinkSettings, PolledCommands } from './agent-link';
import { describeFailure, refusalFailure } from '../failure';

/** Nothing the gateway sends a simulated agent comes near this. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

type AnswerCheck<T> = (body: unknown) => body is T;

const isRegisteredNode: AnswerCheck<RegisteredNode> = (body): body is RegisteredNode =>
  isRecord(body) && typeof body['nodeId'] === 'string' && typeof body['nodeName'] === 'string' && (body['lastSeq'] === null || typeof body['lastSeq'] === 'number');
const isAcceptedCount: AnswerCheck<{ accepted: number }> = (body): body is { accepted: number } => isRecord(body) && typeof body['accepted'] === 'number';
const isAcceptedFlag: AnswerCheck<{ accepted: boolean }> = (body): body is { accepted: boolean } => isRecord(body) && typeof body['accepted'] === 'boolean';
const isPolledCommands: AnswerCheck<PolledCommands> = (body): body is PolledCommands =>
  isRecord(body) && Array.isArray(body['commands']) && Array.isArray(body['cancelled']);

/**
 * One agent over the REST fallback (AGENT_REST_PREFIX): every request carries the key; there is no connection to
 * hold, only a session the registration opens and `/unregister` closes. Requests go through a pool shared by the fleet.
 */
export class RestLink implements AgentLink {
  readonly name = 'rest';
  /** Whose requests these are: every request after the registration names it. */
  private agentId = '';
  /** Whether a registration opened a session that the end of the run should close. */
  private sessionOpen = false;
  /** What every request of the session names, as the real agent's do. */
  private session?: string;
  private readonly host: string;

  constructor(
    private readonly settings: LinkSettings,
    private readonly events: LinkEvents,
    private readonly pool: HttpAgent | HttpsAgent,
  ) {
    this.host = new URL(settings.url).host;
  }

  open(): void {
    // Nothing to open: the registration is the first request.
    queueMicrotask(() => this.events.connected());
  }

  drop(): void {
    this.sessionOpen = false;
  }

  async close(): Promise<void> {
    if (!this.sessionOpen) return;
    this.sessionOpen = false;
    // Best effort: the node goes offline now rather than when its session times out.
    await this.call('POST', '/unregister', { agentId: this.agentId }, (_body): _body is unknown => true, TIMEOUT_LADDER.unregisterMs);
  }

  async register(registration: AgentRegistration): Promise<Exchange<RegisteredNode>> {
    this.agentId = registration.agentId;
    const exchange = await this.call('POST', '/register', registration, isRegisteredNode, this.settings.requestTimeoutMs);
    if (exchange.kind === 'acked') {
      this.sessionOpen = true;
      this.session = exchange.value.session;
    }
    return exchange;
  }

  report(report: MetricsReport): Promise<Exchange<{ accepted: number }>> {
    return this.call('POST', '/metrics', report, isAcceptedCount, this.settings.reportTimeoutMs);
  }

  commandUpdate(update: CommandUpdate): Promise<Exchange<{ accepted: boolean }>> {
    return this.call('POST', '/command-updates', { agentId: this.agentId, update }, isAcceptedFlag, this.settings.reportTimeoutMs);
  }

  poll(waitSeconds: number, signal: AbortSignal): Promise<Exchange<PolledCommands>> {
    const query = new URLSearchParams({ agentId: this.agentId, wait: String(waitSeconds) });
    return this.call('GET', `/commands?${query}`, undefined, isPolledCommands, waitSeconds * 1000 + TIMEOUT_LADDER.pollAnswerMarginMs, signal);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, check: AnswerCheck<T>, timeoutMs: number, signal?: AbortSignal): Promise<Exchange<T>> {
    const { url, apiKey, tlsVerify } = this.settings;
    const answer = await sendAgentRestRequest({ gatewayUrl: url, apiKey, session: this.session, path, method, body, timeoutMs, signal, rejectUnauthorized: tlsVerify, agent: this.pool, maxResponseBytes: MAX_ANSWER_BYTES });
    if (answer.kind === 'lost') return { kind: 'lost', failure: describeFailure(answer.error, this.host) };
    if (answer.kind === 'ok') return check(answer.body) ? { kind: 'acked', value: answer.body } : { kind: 'refused', code: 'malformed_answer', message: `${answer.said} with an unexpected body` };
    if (answer.code) return { kind: 'refused', code: answer.code, message: answer.message };
    // No error body: a proxy, or a gateway that is not this one. The status says what it can.
    const refusal = refusalFailure(answer.message, undefined, answer.status);
    return { kind: 'refused', code: refusal.kind === 'refused' ? 'unauthorized' : `http_${answer.status}`, message: refusal.message };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
