import type { LinkName } from './links/agent-link';

/** How requests of one kind ended. `sent` = acked + refused + lost + pending, always. */
export interface ExchangeCounts {
  sent: number;
  acked: number;
  /** Answered with a coded error. */
  refused: number;
  /** Never answered: timed out, or the connection went while waiting. */
  lost: number;
  /** Still waiting for an answer. */
  pending: number;
}

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** Everything the simulator counts, at one moment: plain data, ready for JSON. */
export interface FleetStats {
  url: string;
  transport: LinkName;
  elapsedSeconds: number;
  agents: {
    total: number;
    /** Past their ramp start. */
    started: number;
    /** Holding a connection now, or when the run ended once stopped (REST: an open session). */
    connected: number;
    /** Registered now, or when the run ended once stopped. */
    registered: number;
    /** Registered at least once during the run. */
    everRegistered: number;
    /** Started, not registered now, and their last attempt failed. */
    failing: number;
    disconnects: number;
    /** Registrations after the first, per agent: the session came back after a loss. */
    reconnects: number;
  };
  registrations: ExchangeCounts;
  /** Each transmission counts: samples of a report that was not acknowledged go again in the next. */
  reports: ExchangeCounts;
  samples: ExchangeCounts & { generated: number; dropped: number };
  commandUpdates: ExchangeCounts;
  commands: {
    received: number;
    /** Handed down again after the first time: recognised by id, not run twice. */
    duplicates: number;
    malformed: number;
    cancels: number;
    /** Whose `succeeded` update the gateway acknowledged. */
    answered: number;
    /** From the command's receipt to the acknowledgement of its `succeeded` update. */
    roundTrip: LatencySummary;
  };
  /** REST only: long polls for commands. */
  polls: { sent: number; answered: number; failed: number };
  latency: { register: LatencySummary; report: LatencySummary };
  /** Failure and refusal reasons, with how often each happened. */
  failures: Record<string, number>;
  /** Why the run does not count as clean; empty when everything sent was acknowledged. */
  problems: string[];
  ok: boolean;
}

export function emptyExchangeCounts(): ExchangeCounts {
  return { sent: 0, acked: 0, refused: 0, lost: 0, pending: 0 };
}

/** Percentiles over at most RESERVOIR_SIZE measurements: a long run at scale keeps a fair sample, not every value. */
const RESERVOIR_SIZE = 10_000;

export class LatencyRecorder {
  private readonly reservoir: number[] = [];
  private count = 0;
  private max = 0;

  record(milliseconds: number): void {
    this.count++;
    this.max = Math.max(this.max, milliseconds);
    if (this.reservoir.length < RESERVOIR_SIZE) {
      this.reservoir.push(milliseconds);
      return;
    }
    // Reservoir sampling: every measurement so far has the same chance of being kept.
    const slot = Math.floor(Math.random() * this.count);
    if (slot < RESERVOIR_SIZE) this.reservoir[slot] = milliseconds;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, p50Ms: null, p95Ms: null, maxMs: null };
    const sorted = [...this.reservoir].sort((a, b) => a - b);
    const percentile = (fraction: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]);
    return { count: this.count, p50Ms: percentile(0.5), p95Ms: percentile(0.95), maxMs: Math.round(this.max) };
  }
}

/** The counters every agent of a fleet adds to. */
export class FleetCounters {
  readonly registrations = emptyExchangeCounts();
  readonly reports = emptyExchangeCounts();
  readonly samples = { ...emptyExchangeCounts(), generated: 0, dropped: 0 };
  readonly commandUpdates = emptyExchangeCounts();
  readonly commands = { received: 0, duplicates: 0, malformed: 0, cancels: 0, answered: 0 };
  readonly polls = { sent: 0, answered: 0, failed: 0 };
  readonly connections = { disconnects: 0, reconnects: 0 };
  readonly registerLatency = new LatencyRecorder();
  readonly reportLatency = new LatencyRecorder();
  readonly commandRoundTrip = new LatencyRecorder();
  readonly failures = new Map<string, number>();

  fail(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  /** Requests sent and not yet answered, of every kind the verdict counts. */
  get inFlight(): number {
    return this.registrations.pending + this.reports.pending + this.commandUpdates.pending;
  }
}

/** Why a run is not clean: anything sent and not acknowledged, or an agent that never got registered. */
export function problemsOf(stats: Omit<FleetStats, 'problems' | 'ok'>): string[] {
  const problems: string[] = [];
  const unacknowledged = (what: string, counts: ExchangeCounts) => {
    const missing = counts.sent - counts.acked;
    if (missing > 0) problems.push(`${missing} of ${counts.sent} ${what} not acknowledged (${counts.refused} refused, ${counts.lost} lost, ${counts.pending} pending)`);
  };
  unacknowledged('registrations', stats.registrations);
  unacknowledged('reports', stats.reports);
  unacknowledged('command updates', stats.commandUpdates);
  const neverRegistered = stats.agents.total - stats.agents.everRegistered;
  if (neverRegistered > 0) problems.push(`${neverRegistered} of ${stats.agents.total} agents never registered`);
  if (stats.commands.malformed > 0) problems.push(`${stats.commands.malformed} malformed commands received`);
  return problems;
}
