import { connectionPool, needsConfigurationFix, sendHttpRequest, TIMEOUT_LADDER } from '@thresh/agent-wire';
import { nodeNameSchema } from '@thresh/protocol';
import { createHash, randomUUID } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentLink, LinkEvents, LinkSettings, LinkName } from './links/agent-link';
import { describeFailure, Failure } from './failure';
import { FleetCounters, FleetStats, problemsOf } from './fleet-stats';
import { RestLink } from './links/rest-link';
import { AgentBehaviour, SIMULATED_NODE, SimulatedAgent } from './simulated-agent';
import { SocketLink } from './links/socket-link';

export interface FleetSimulatorOptions {
  /** The midtier's (or hub's) base URL: both serve the agent gateway. */
  url: string;
  /** An agent key (thresh_live_…). */
  apiKey: string;
  agents: number;
  transport: LinkName;
  /** Seconds between one agent's reports; fractions allowed (tests). */
  intervalSeconds: number;
  samplesPerReport: number;
  /** Environments listed in every sample: they make samples larger. */
  environments: number;
  /** Agents connect spread (jittered) over this many seconds. */
  rampSeconds: number;
  /** REST: seconds between one poll's answer and the next poll. */
  pollIntervalSeconds: number;
  /** REST: seconds the gateway may hold a poll open; the real agent asks for TIMEOUT_LADDER.longPollHoldMs. */
  pollWaitSeconds: number;
  /** Node names are `<prefix><n>`, n from 1. */
  namePrefix: string;
  /**
   * False (the default): agent ids derive from the node name, so a second run re-registers the same nodes and numbers
   * its samples on from what the hub holds. True: fresh ids, new nodes each run.
   */
  randomIds: boolean;
  /** False accepts any certificate over https. */
  tlsVerify: boolean;
  /** Milliseconds between scheduler ticks: one timer sends for every agent due. */
  tickMs: number;
  requestTimeoutMs: number;
  reportTimeoutMs: number;
  /** Base of the jittered exponential backoff between connection attempts. */
  retryBaseMs: number;
  retryCapMs: number;
  /** How long stop() waits for requests in flight to be answered before it closes the connections. */
  drainTimeoutMs: number;
  /** Give up at once when a key or certificate problem stops the first agents: no agent would get further. */
  abortOnConfigurationError: boolean;
}

export const DEFAULT_FLEET_OPTIONS: Omit<FleetSimulatorOptions, 'url' | 'apiKey'> = {
  agents: 100,
  transport: 'socketio',
  intervalSeconds: 30,
  samplesPerReport: 1,
  environments: 0,
  rampSeconds: 10,
  pollIntervalSeconds: TIMEOUT_LADDER.pollIntervalMs / 1000,
  pollWaitSeconds: TIMEOUT_LADDER.longPollHoldMs / 1000,
  namePrefix: 'sim-',
  randomIds: false,
  tlsVerify: true,
  tickMs: 200,
  requestTimeoutMs: TIMEOUT_LADDER.requestMs,
  reportTimeoutMs: TIMEOUT_LADDER.reportMs,
  retryBaseMs: TIMEOUT_LADDER.reconnectBaseMs,
  retryCapMs: TIMEOUT_LADDER.reconnectCapMs,
  drainTimeoutMs: 10_000,
  abortOnConfigurationError: true,
};

/** How long the reachability check before the first agent may take. */
const PREFLIGHT_TIMEOUT_MS = 5000;
const DRAIN_CHECK_MS = 50;
/** Sessions closed at once at the end of a REST run: a thousand unregisters should not all start in one go. */
const CLOSE_CONCURRENCY = 100;
/** A fixed namespace: the same prefix and number give the same agent id on every run and machine. */
const AGENT_ID_NAMESPACE = 'thresh-fleet-sim';

/** Thrown by start() when the run cannot begin: the gateway cannot be reached, or the options make no sense. */
export class FleetSimulatorError extends Error {}

/**
 * N simulated agents speaking the agent protocol against a real gateway, for benchmarks and scale tests. One timer
 * drives them all; each holds its own socket (Socket.IO) or shares a kept-alive pool (REST).
 *
 *   const fleet = new FleetSimulator({ ...DEFAULT_FLEET_OPTIONS, url, apiKey, agents: 50 });
 *   await fleet.start();
 *   // … fleet.stats() as it runs …
 *   const stats = await fleet.stop();
 */
export class FleetSimulator {
  readonly options: FleetSimulatorOptions;
  private readonly counters = new FleetCounters();
  private agents: SimulatedAgent[] = [];
  private pool?: HttpAgent | HttpsAgent;
  private ticker?: NodeJS.Timeout;
  private startedAt?: number;
  private stoppedAt?: number;
  private agentStatesAtStop?: AgentStates;
  private stopping?: Promise<FleetStats>;
  private anyRegistered = false;
  private abortReason?: string;
  private announceAbort: (reason: string) => void = () => undefined;
  /** Resolves with the reason when the fleet gave up by itself (a refused key, say); stop() still collects the stats. */
  readonly aborted: Promise<string>;

  constructor(options: Partial<FleetSimulatorOptions> & Pick<FleetSimulatorOptions, 'url' | 'apiKey'>) {
    this.options = { ...DEFAULT_FLEET_OPTIONS, ...options };
    this.aborted = new Promise((resolve) => (this.announceAbort = resolve));
  }

  /** Checks the gateway answers at all, then lets agents connect over the ramp. Rejects with FleetSimulatorError. */
  async start(): Promise<void> {
    if (this.startedAt !== undefined) throw new FleetSimulatorError('this fleet was started already');
    const problem = optionProblem(this.options);
    if (problem) throw new FleetSimulatorError(problem);
    await this.checkReachable();
    const { options } = this;
    const startedAt = Date.now();
    this.startedAt = startedAt;
    // Shared by every REST agent; idle sockets beyond maxFreeSockets are closed, and one per agent may sit between polls.
    if (options.transport === 'rest') this.pool = connectionPool(options.url, { rejectUnauthorized: options.tlsVerify }, 65_536);
    const behaviour = this.behaviour();
    const slotMs = (options.rampSeconds * 1000) / options.agents;
    this.agents = Array.from({ length: options.agents }, (_, index) => {
      const nodeName = `${options.namePrefix}${index + 1}`;
      const identity = {
        agentId: options.randomIds ? randomUUID() : nameBasedUuid(`${AGENT_ID_NAMESPACE}:${nodeName}`),
        nodeName,
        // One slot each over the ramp, at a random point within it: spread evenly, but not in lockstep.
        startAt: startedAt + (index + Math.random()) * slotMs,
      };
      return new SimulatedAgent(identity, behaviour, this.counters, this.hooks(), (events) => this.createLink(events));
    });
    this.ticker = setInterval(() => this.tick(), options.tickMs);
    this.tick();
  }

  /** Stops sending, waits (up to drainTimeoutMs) for answers to what was sent, closes every connection. */
  stop(): Promise<FleetStats> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /** Everything counted so far; each call a fresh copy. */
  stats(): FleetStats {
    const { counters, agents, options } = this;
    const end = this.stoppedAt ?? Date.now();
    const withoutVerdict: Omit<FleetStats, 'problems' | 'ok'> = {
      url: options.url,
      transport: options.transport,
      elapsedSeconds: this.startedAt === undefined ? 0 : Math.round((end - this.startedAt) / 100) / 10,
      agents: {
        total: options.agents,
        ...(this.agentStatesAtStop ?? agentStatesOf(agents)),
        disconnects: counters.connections.disconnects,
        reconnects: counters.connections.reconnects,
      },
      registrations: { ...counters.registrations },
      reports: { ...counters.reports },
      samples: { ...counters.samples },
      commandUpdates: { ...counters.commandUpdates },
      commands: { ...counters.commands, roundTrip: counters.commandRoundTrip.summary() },
      polls: { ...counters.polls },
      latency: { register: counters.registerLatency.summary(), report: counters.reportLatency.summary() },
      failures: Object.fromEntries([...counters.failures].sort(([, a], [, b]) => b - a)),
    };
    const problems = problemsOf(withoutVerdict);
    if (this.abortReason) problems.unshift(`gave up: ${this.abortReason}`);
    return { ...withoutVerdict, problems, ok: problems.length === 0 };
  }

  private tick(): void {
    if (this.stopping) return;
    const now = Date.now();
    for (const agent of this.agents) agent.tick(now);
  }

  private async shutDown(): Promise<FleetStats> {
    clearInterval(this.ticker);
    const drainDeadline = Date.now() + this.options.drainTimeoutMs;
    while (this.counters.inFlight > 0 && Date.now() < drainDeadline) await sleep(DRAIN_CHECK_MS);
    this.stoppedAt = Date.now();
    // As the run ended, not after every connection was closed on purpose.
    this.agentStatesAtStop = agentStatesOf(this.agents);
    for (let first = 0; first < this.agents.length; first += CLOSE_CONCURRENCY) {
      await Promise.all(this.agents.slice(first, first + CLOSE_CONCURRENCY).map((agent) => agent.stop()));
    }
    this.pool?.destroy();
    return this.stats();
  }

  /** Any HTTP answer will do: what matters is that something listens, before a thousand agents find out it does not. */
  private async checkReachable(): Promise<void> {
    const { url, tlsVerify } = this.options;
    try {
      // Connection: close, so that no kept-alive socket of this one check outlives it.
      const probe = { method: 'GET' as const, headers: { connection: 'close' }, timeoutMs: PREFLIGHT_TIMEOUT_MS, rejectUnauthorized: tlsVerify };
      await sendHttpRequest(new URL('/health', url), probe);
    } catch (error) {
      throw new FleetSimulatorError(describeFailure(error, new URL(url).host).message);
    }
  }

  private hooks() {
    return {
      registered: () => (this.anyRegistered = true),
      failed: (failure: Failure) => {
        if (!this.options.abortOnConfigurationError || this.anyRegistered || this.abortReason || !needsConfigurationFix(failure.kind)) return;
        this.abortReason = failure.message;
        this.announceAbort(failure.message);
      },
    };
  }

  private createLink(events: LinkEvents): AgentLink {
    const { url, apiKey, tlsVerify, requestTimeoutMs, reportTimeoutMs } = this.options;
    const settings: LinkSettings = { url, apiKey, tlsVerify, requestTimeoutMs, reportTimeoutMs };
    if (this.options.transport === 'socketio') return new SocketLink(settings, events);
    if (!this.pool) throw new Error('the REST connection pool is created before the agents');
    return new RestLink(settings, events, this.pool);
  }

  private behaviour(): AgentBehaviour {
    const { options } = this;
    return {
      reportIntervalMs: options.intervalSeconds * 1000,
      samplesPerReport: options.samplesPerReport,
      environments: options.environments,
      pollIntervalMs: options.pollIntervalSeconds * 1000,
      pollWaitSeconds: options.pollWaitSeconds,
      retryBaseMs: options.retryBaseMs,
      retryCapMs: options.retryCapMs,
      registration: {
        platform: 'linux',
        arch: 'x64',
        agentVersion: 'fleet-sim',
        ...SIMULATED_NODE,
        drivers: ['process'],
      },
    };
  }
}

type AgentStates = Pick<FleetStats['agents'], 'started' | 'connected' | 'registered' | 'everRegistered' | 'failing'>;

function agentStatesOf(agents: readonly SimulatedAgent[]): AgentStates {
  const count = (predicate: (agent: SimulatedAgent) => boolean) => agents.reduce((total, agent) => total + (predicate(agent) ? 1 : 0), 0);
  return {
    started: count((agent) => agent.started),
    connected: count((agent) => agent.connected),
    registered: count((agent) => agent.registered),
    everRegistered: count((agent) => agent.everRegistered),
    failing: count((agent) => agent.failing),
  };
}

/** What is wrong with the options, in words for the person who gave them; undefined when nothing is. */
export function optionProblem(options: FleetSimulatorOptions): string | undefined {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return `url: "${options.url}" is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `url: expected http:// or https://, got ${url.protocol}//`;
  if (!Number.isInteger(options.agents) || options.agents < 1) return 'agents: a whole number of at least 1';
  if (!(options.intervalSeconds > 0)) return 'interval: more than 0 seconds';
  if (!Number.isInteger(options.samplesPerReport) || options.samplesPerReport < 1 || options.samplesPerReport > 500) return 'samples-per-report: a whole number from 1 to 500';
  if (!Number.isInteger(options.environments) || options.environments < 0 || options.environments > 200) return 'environments: a whole number from 0 to 200';
  if (!(options.rampSeconds >= 0)) return 'ramp: 0 seconds or more';
  if (!(options.pollIntervalSeconds >= 0)) return 'poll-interval: 0 seconds or more';
  if (!Number.isInteger(options.pollWaitSeconds) || options.pollWaitSeconds < 0 || options.pollWaitSeconds > 50) return 'poll-wait: a whole number of seconds from 0 to 50';
  if (!(options.tickMs >= 10)) return 'tick: 10 ms or more';
  const longestName = `${options.namePrefix}${options.agents}`;
  if (!nodeNameSchema.safeParse(longestName).success) {
    return `name-prefix: "${longestName}" is not a node name (up to 64 letters, digits, ".", "_" and "-", starting with a letter or digit)`;
  }
  return undefined;
}

/** A version-5 style UUID from a name: the same name, the same id. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
