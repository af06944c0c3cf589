import { backoffDelay, connectionPool, sendAgentRestRequest, TIMEOUT_LADDER } from '@thresh/agent-wire';
import { Ack, AgentRegistration, CommandUpdate, ERROR_STATUS, ErrorCode, MetricsReport, RegisteredNode } from '@thresh/protocol';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { z } from 'zod';
import { AgentLink, LinkEvents, LinkFailure, LinkSettings, LinkStopReason } from './agent-link';
import { classifyConnectionFailure } from './connection-failure';

export interface RestLinkSettings extends LinkSettings {
  /** Seconds between the end of one poll for commands and the next. */
  pollIntervalSeconds: number;
}

/** How long a poll is held open at the mid-tier while no command waits. */
const POLL_WAIT_SECONDS = TIMEOUT_LADDER.longPollHoldMs / 1000;

const registeredNodeSchema = z.object({
  nodeId: z.string(),
  nodeName: z.string(),
  lastSeq: z.number().int().nullable(),
  nodeCredential: z.string().optional(),
  session: z.string().optional(),
});
const pollResponseSchema = z.object({ commands: z.array(z.unknown()), cancelled: z.array(z.string()).default([]) });
const acceptedCountSchema = z.object({ accepted: z.number() });
const acceptedFlagSchema = z.object({ accepted: z.boolean() });

/** An HTTP status the mid-tier answered without a readable error body, as the code it stands for. */
const CODE_BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).filter(([code]) => code !== 'not_registered').map(([code, status]) => [status, code]),
);

type RestResult<T> = { ok: true; value: T } | { ok: false; failure: LinkFailure; code: ErrorCode };

/**
 * The agent protocol over plain HTTP, for networks that let no WebSocket through: requests for what the agent says,
 * and a long poll for the commands the hub has for it.
 */
export class RestLink implements AgentLink {
  readonly name = 'rest';
  readonly description: string;
  private readonly connectionPool: HttpAgent | HttpsAgent;
  private events?: LinkEvents;
  private agentId?: string;
  /** Named with every request after the registration that opened it: the mid-tier tells this agent from a claimant by it. */
  private session?: string;
  /** The mid-tier knows this agent: polls and reports may go. */
  private sessionOpen = false;
  /** Ends the poll loop of the current session. */
  private pollAbort?: AbortController;
  private reconnectTimer?: NodeJS.Timeout;
  private failedAttempts = 0;
  private stopped = false;

  constructor(private readonly settings: RestLinkSettings) {
    this.description = `rest (polling every ${settings.pollIntervalSeconds}s)`;
    this.connectionPool = connectionPool(settings.url, { rejectUnauthorized: settings.tlsVerify, ca: settings.trustedCa });
  }

  start(events: LinkEvents): void {
    this.events = events;
    // Nothing to open: the registration is the first request, once the runtime has wired its handlers.
    setImmediate(() => this.announceConnected());
  }

  async stop(reason: LinkStopReason): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.pollAbort?.abort();
    if (reason === 'shutdown' && this.sessionOpen && this.agentId) {
      // Best effort: the node goes offline now rather than when its session times out.
      await this.call('POST', '/unregister', { agentId: this.agentId }, z.unknown(), TIMEOUT_LADDER.unregisterMs);
    }
    this.sessionOpen = false;
    if (reason === 'shutdown') this.connectionPool.destroy();
  }

  async register(registration: AgentRegistration): Promise<Ack<RegisteredNode>> {
    this.agentId = registration.agentId;
    const result = await this.call('POST', '/register', registration, registeredNodeSchema);
    if (this.stopped) return toAck(result);
    if (!result.ok) {
      this.events?.error(result.failure);
      this.reconnectLater(result.failure.kind === 'refused');
      return toAck(result);
    }
    this.failedAttempts = 0;
    this.session = result.value.session;
    this.openSession();
    return toAck(result);
  }

  async report(report: MetricsReport): Promise<Ack<{ accepted: number }>> {
    return toAck(await this.sessionCall('/metrics', report, acceptedCountSchema));
  }

  async commandUpdate(update: CommandUpdate): Promise<Ack<{ accepted: boolean }>> {
    return toAck(await this.sessionCall('/command-updates', { agentId: this.agentId, update }, acceptedFlagSchema));
  }

  private openSession(): void {
    // A registration replaces the session, and its poll loop.
    this.pollAbort?.abort();
    this.pollAbort = new AbortController();
    this.sessionOpen = true;
    void this.pollLoop(this.pollAbort.signal);
  }

  /** Polls for commands until its session ends: a long poll, then `poll-interval` seconds, then again. */
  private async pollLoop(session: AbortSignal): Promise<void> {
    while (!session.aborted) {
      const query = new URLSearchParams({ agentId: this.agentId ?? '', wait: String(POLL_WAIT_SECONDS) });
      const result = await this.call('GET', `/commands?${query}`, undefined, pollResponseSchema, TIMEOUT_LADDER.longPollHoldMs + TIMEOUT_LADDER.pollAnswerMarginMs, session);
      // Stopped, or another session took over: what this poll brought back is no longer this loop's business.
      if (session.aborted) return;
      if (!result.ok) {
        this.onSessionFailure(result);
        if (session.aborted) return;
        // The mid-tier is there but cannot serve (its hub away, say): ask again after a backoff.
        await pause(backoffDelay(this.failedAttempts++, this.settings.reconnectDelaySeconds * 1000), session);
        continue;
      }
      this.failedAttempts = 0;
      for (const command of result.value.commands) this.events?.commandRun(command);
      for (const commandId of result.value.cancelled) this.events?.commandCancel(commandId);
      await pause(this.settings.pollIntervalSeconds * 1000, session);
    }
  }

  /** A request that needs the session; losing it (or the mid-tier) makes the link reconnect. */
  private async sessionCall<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<RestResult<T>> {
    const result = await this.call('POST', path, body, schema, TIMEOUT_LADDER.reportMs);
    if (!result.ok && !this.stopped) this.onSessionFailure(result);
    return result;
  }

  /** The session is gone when the mid-tier forgot it, cannot be reached, or refuses the key: register again later. */
  private onSessionFailure(result: { failure: LinkFailure; code: ErrorCode }): void {
    if (!this.sessionOpen) return;
    if (result.code === 'not_registered') {
      this.closeSession(result.failure.message);
      this.announceConnected();
    } else if (result.failure.kind !== 'server') {
      this.closeSession(result.failure.message);
      this.events?.error(result.failure);
      this.reconnectLater(result.failure.kind === 'refused');
    }
  }

  private closeSession(reason: string): void {
    this.sessionOpen = false;
    this.pollAbort?.abort();
    this.events?.disconnected(reason);
  }

  private reconnectLater(refused: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    const base = this.settings.reconnectDelaySeconds * 1000 * (refused ? TIMEOUT_LADDER.refusedKeyBackoffFactor : 1);
    this.reconnectTimer = setTimeout(() => this.announceConnected(), backoffDelay(this.failedAttempts++, base));
  }

  private announceConnected(): void {
    if (!this.stopped) this.events?.connected();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, schema: z.ZodType<T>, timeoutMs: number = TIMEOUT_LADDER.requestMs, signal?: AbortSignal): Promise<RestResult<T>> {
    const { url, apiKey, tlsVerify, trustedCa } = this.settings;
    const answer = await sendAgentRestRequest({ gatewayUrl: url, apiKey, session: this.session, path, method, body, timeoutMs, signal, rejectUnauthorized: tlsVerify, ca: trustedCa, agent: this.connectionPool });
    const host = new URL(url).host;
    if (answer.kind === 'lost') return { ok: false, code: 'hub_unavailable', failure: classifyConnectionFailure(answer.error, host) };
    if (answer.kind === 'ok') {
      const parsed = schema.safeParse(answer.body);
      return parsed.success ? { ok: true, value: parsed.data } : { ok: false, code: 'internal', failure: { kind: 'server', message: `${answer.said} with an unexpected body` } };
    }
    const code = answer.code ?? CODE_BY_STATUS.get(answer.status) ?? 'internal';
    return { ok: false, code, failure: classifyConnectionFailure({ message: answer.message, data: { code, status: answer.status } }, host) };
  }
}

/** Waits, or less when the signal aborts. */
function pause(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, delayMs);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function toAck<T extends object>(result: RestResult<T>): Ack<T> {
  return result.ok ? { ok: true, ...result.value } : { ok: false, error: { code: result.code, message: result.failure.message } };
}
