import { MAX_AGENT_POLL_WAIT_SECONDS } from '@thresh/protocol';

/**
 * Every wait and timeout of a gateway's clients (agent, fleet simulator, midtier spool replay) and the server-side ones
 * they must fit, in milliseconds: one table, so the invariants below hold (client-policy.spec); settings start from these.
 */
export const TIMEOUT_LADDER = {
  /** A registration or other short request over the agent link. */
  requestMs: 15_000,
  /** A report or command update: it may wait behind others at the midtier, and for the hub. */
  reportMs: 60_000,
  /** The first reconnect wait (the agent's reconnect-delay); each next one twice as long… */
  reconnectBaseMs: 5_000,
  /** …up to this. */
  reconnectCapMs: 30_000,
  /** A refused key will not be accepted a second later: its retries start this many times later. */
  refusedKeyBackoffFactor: 6,
  /** The primary out of reach this long: the agent fails over (failover-timeout). */
  failoverMs: 30_000,
  /** The primary healthy this long: the agent fails back (failback-delay). */
  failbackMs: 60_000,
  /** While on the fallback: how often the primary's /health is asked, and how long an answer may take. */
  primaryProbeIntervalMs: 5_000,
  primaryProbeTimeoutMs: 5_000,
  /** Whether a host whose WebSockets fail answers plain HTTP at all. */
  healthCheckMs: 10_000,
  /** While auto polls over REST: how often a WebSocket is tried again (websocket-retry), and how long it may take. */
  websocketRetryMs: 300_000,
  websocketAttemptMs: 30_000,
  /** REST polling: the pause between one poll's answer and the next (poll-interval). */
  pollIntervalMs: 5_000,
  /** How long an agent asks the gateway to hold a poll open: under common proxies' idle timeouts. */
  longPollHoldMs: 25_000,
  /** The most the gateway holds one. */
  longPollMaxHoldMs: MAX_AGENT_POLL_WAIT_SECONDS * 1000,
  /** Time for the gateway to answer once a poll's hold is over. */
  pollAnswerMarginMs: 15_000,
  /** Unregistering is a courtesy on the way out: not worth waiting long for. */
  unregisterMs: 3_000,
  /** Gateway: a REST agent silent this long loses its session (HUB_/MIDTIER_AGENT_SESSION_SECONDS). */
  restSessionMs: 90_000,
  /** Gateway: the longest between two sweeps for silent REST sessions. */
  restSessionSweepMs: 10_000,
  /** Gateway: Socket.IO heartbeats to agents, and how long an answer to one may take. */
  socketPingIntervalMs: 25_000,
  socketPingTimeoutMs: 20_000,
  /** Midtier: how long it waits for the hub to answer a request over the hub link. */
  hubRequestMs: 10_000,
  /** Midtier: how often the spool is tried again while it holds samples. */
  spoolReplayMs: 1_000,
} as const satisfies Readonly<Record<string, number>>;

export type TimeoutLadder = { readonly [Name in keyof typeof TIMEOUT_LADDER]: number };

/** Each invariant of a ladder, and whether it holds: the spec checks TIMEOUT_LADDER, anyone may check another. */
export function ladderInvariants(ladder: TimeoutLadder): { rule: string; holds: boolean }[] {
  return [
    { rule: 'reconnect base < reconnect cap', holds: ladder.reconnectBaseMs < ladder.reconnectCapMs },
    // The primary is tried again at the longest wait before the agent leaves it.
    { rule: 'failover >= reconnect cap', holds: ladder.failoverMs >= ladder.reconnectCapMs },
    // A polling agent is never forgotten between two polls, even when its gateway holds each for as long as it may.
    { rule: 'REST session > longest poll hold + answer margin + poll interval', holds: ladder.restSessionMs > ladder.longPollMaxHoldMs + ladder.pollAnswerMarginMs + ladder.pollIntervalMs },
    { rule: 'poll hold asked <= longest the gateway holds', holds: ladder.longPollHoldMs <= ladder.longPollMaxHoldMs },
    // Several sweeps per session lifetime: a silent agent goes within a fraction of it.
    { rule: 'REST session > 3 x session sweep', holds: ladder.restSessionMs > 3 * ladder.restSessionSweepMs },
    // The agent gives up on a report only after the midtier has given up on the hub: no resend while it may be stored.
    { rule: 'report timeout > hub request timeout', holds: ladder.reportMs > ladder.hubRequestMs },
    { rule: 'report timeout >= request timeout', holds: ladder.reportMs >= ladder.requestMs },
    { rule: 'primary probe timeout <= probe interval', holds: ladder.primaryProbeTimeoutMs <= ladder.primaryProbeIntervalMs },
    { rule: 'WebSocket attempt < WebSocket retry', holds: ladder.websocketAttemptMs < ladder.websocketRetryMs },
    // A replay retried every spool interval never overlaps the request of the one before.
    { rule: 'spool replay < hub request timeout', holds: ladder.spoolReplayMs < ladder.hubRequestMs },
  ];
}

/**
 * Every client's backoff: attempt 0 waits up to `baseMs`, each next twice as long up to `capMs`, jittered in the upper
 * half so agents dropped together do not come back together. A fixed interval is `backoffDelay(0, interval, interval)`.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number = TIMEOUT_LADDER.reconnectCapMs): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(exponential * (0.5 + Math.random() * 0.5));
}

/**
 * What a report or command update that did not get through gets:
 * - `resend`: kept, and sent again (after the next registration): no answer came, or the server could not serve;
 * - `drop`: the server refused it as sent (a schema error, an unknown command): sent again it would be refused again;
 * - `fix`: the server refused the credential: kept, but nothing gets through until a person fixes the key.
 */
export type DeliveryVerdict = 'resend' | 'drop' | 'fix';

/** The verdict on a report or command update, from the refusal's error code; undefined: no answer (lost, timed out). */
export function deliveryVerdict(refusalCode: string | undefined): DeliveryVerdict {
  if (refusalCode === 'validation_failed' || refusalCode === 'not_found') return 'drop';
  // `forbidden` refuses no credential: on a report it means "register (through me) first".
  return refusalCode === 'unauthorized' ? 'fix' : 'resend';
}
