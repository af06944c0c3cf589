import type { FailureKind } from '@thresh/agent-wire';
import type { Ack, AgentRegistration, CommandUpdate, MetricsReport, RegisteredNode } from '@thresh/protocol';

export type LinkName = 'socketio' | 'rest';

export interface LinkFailure {
  kind: FailureKind;
  /** Why, in words a person acts on: `thresh agent status` shows it. */
  message: string;
}

/** What a link tells the runtime; a stopped link tells nothing more. */
export interface LinkEvents {
  /** The mid-tier can be reached: register now (again, after an outage or an expired session). */
  connected: () => void;
  /** The session was lost; the link reconnects by itself and says `connected` again. */
  disconnected: (reason: string) => void;
  /** An attempt to connect or register failed; the link tries again by itself. */
  error: (failure: LinkFailure) => void;
  commandRun: (command: unknown) => void;
  commandCancel: (commandId: string) => void;
}

/** `replaced`: another link took over the session, so it is left open; `shutdown`: the agent stops. */
export type LinkStopReason = 'replaced' | 'shutdown';

/** The agent link: one way of carrying the agent protocol to the mid-tier. Only one link sends at a time. */
export interface AgentLink {
  readonly name: LinkName;
  /** How messages travel, as `thresh agent status` shows it: "socketio (websocket)", "rest (polling every 5s)". */
  readonly description: string;
  start(events: LinkEvents): void;
  stop(reason: LinkStopReason): Promise<void>;
  /** A refused registration makes the link reconnect later by itself. */
  register(registration: AgentRegistration): Promise<Ack<RegisteredNode>>;
  report(report: MetricsReport): Promise<Ack<{ accepted: number }>>;
  commandUpdate(update: CommandUpdate): Promise<Ack<{ accepted: boolean }>>;
}

/** What every link needs from the agent's settings. */
export interface LinkSettings {
  url: string;
  apiKey: string;
  tlsVerify: boolean;
  /** PEM certificates to trust (the system's and tls-ca's); undefined: the system's only. */
  trustedCa?: string[];
  /** Seconds before the first reconnect attempt; the base of the backoff. */
  reconnectDelaySeconds: number;
}
