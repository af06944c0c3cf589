import type { AgentRegistration, CommandUpdate, MetricsReport, RegisteredNode } from '@thresh/protocol';
import type { Failure } from '../failure';

export type LinkName = 'socketio' | 'rest';
export const LINK_NAMES: readonly LinkName[] = ['socketio', 'rest'];

/**
 * How one request ended: acknowledged; refused by the gateway with a coded error; or lost (no answer: timeout,
 * dropped connection), when the gateway may or may not have acted on it.
 */
export type Exchange<T> = { kind: 'acked'; value: T } | { kind: 'refused'; code: string; message: string } | { kind: 'lost'; failure: Failure };

/** What a link tells its agent. */
export interface LinkEvents {
  /** The gateway can be reached: register now. */
  connected(): void;
  /** A connection that was up went away (not by close()). */
  disconnected(reason: string): void;
  /** An attempt to connect failed; the agent decides when to try again. */
  connectFailed(failure: Failure): void;
  commandRun(command: unknown): void;
  commandCancel(commandId: unknown): void;
}

/** One simulated agent's connection to the agent gateway: a Socket.IO socket, or REST requests over a shared pool. */
export interface AgentLink {
  readonly name: LinkName;
  /** Connects (again); says `connected` or `connectFailed`. */
  open(): void;
  /** Drops the connection without closing the link for good: the agent opens it again after a backoff. */
  drop(): void;
  /** For good, at the end of a run. */
  close(): Promise<void>;
  register(registration: AgentRegistration): Promise<Exchange<RegisteredNode>>;
  report(report: MetricsReport): Promise<Exchange<{ accepted: number }>>;
  commandUpdate(update: CommandUpdate): Promise<Exchange<{ accepted: boolean }>>;
  /** REST only: asks for commands, holding the request open up to `waitSeconds`; Socket.IO pushes them instead. */
  poll?(waitSeconds: number, signal: AbortSignal): Promise<Exchange<PolledCommands>>;
}

/** An AgentPollResponse, its entries unchecked: the agent checks each command as it would one pushed over a socket. */
export interface PolledCommands {
  commands: unknown[];
  cancelled: unknown[];
}

/** What every link needs. */
export interface LinkSettings {
  url: string;
  apiKey: string;
  tlsVerify: boolean;
  requestTimeoutMs: number;
  reportTimeoutMs: number;
}

/** The gateway's acknowledgement of a socket request, or its REST answer, as an exchange. */
export function exchangeOfAck<T extends object>(ack: unknown): Exchange<T> {
  if (typeof ack !== 'object' || ack === null || !('ok' in ack)) {
    return { kind: 'refused', code: 'malformed_ack', message: 'the gateway acknowledged with something that is not an Ack' };
  }
  if (ack.ok === true) return { kind: 'acked', value: ack as T };
  const error = 'error' in ack && typeof ack.error === 'object' && ack.error !== null ? (ack.error as { code?: unknown; message?: unknown }) : {};
  return { kind: 'refused', code: String(error.code ?? 'unknown'), message: String(error.message ?? 'no message') };
}
