import { backoffDelay, deliveryVerdict, needsConfigurationFix, TIMEOUT_LADDER } from '@thresh/agent-wire';
import { randomBytes } from 'node:crypto';
import { AgentRegistration, CommandUpdate, EnvironmentStatus, MAX_SAMPLES_PER_REPORT, MetricSample, RegisteredNode } from '@thresh/protocol';
import { AgentLink, Exchange, LinkEvents } from './links/agent-link';
import { Failure, refusalFailure, withoutIds } from './failure';
import { ExchangeCounts, FleetCounters } from './fleet-stats';

/** Who one simulated agent is, and when it first connects. */
export interface AgentIdentity {
  agentId: string;
  nodeName: string;
  /** Epoch milliseconds. */
  startAt: number;
}

/** What every agent of a fleet does alike. */
export interface AgentBehaviour {
  reportIntervalMs: number;
  samplesPerReport: number;
  environments: number;
  /** REST: pause between one poll's answer and the next poll. */
  pollIntervalMs: number;
  /** REST: how long the gateway may hold a poll open while no command waits. */
  pollWaitSeconds: number;
  retryBaseMs: number;
  retryCapMs: number;
  /** Sent as metricsIntervalSeconds: the gateway wants whole seconds. */
  registration: Omit<AgentRegistration, 'agentId' | 'nodeName' | 'hostname' | 'metricsIntervalSeconds'>;
}

/** What an agent tells its fleet beyond the counters. */
export interface FleetHooks {
  registered(): void;
  failed(failure: Failure): void;
}

type Phase = 'waiting' | 'connecting' | 'registering' | 'registered' | 'backoff' | 'stopped';

interface CommandRecord {
  receivedAt: number;
  /** Its `succeeded` update was acknowledged (or refused for good): nothing more to send. */
  settled: boolean;
  sending: boolean;
}

/** Command ids remembered per agent for de-duplication; a simulated agent gets few commands. */
const REMEMBERED_COMMANDS = 1000;
const GIB = 1024 ** 3;

/**
 * One simulated agent: connects, registers, reports and answers commands as the real agent does, driven by the
 * fleet's shared scheduler through tick() rather than timers of its own.
 */
export class SimulatedAgent {
  private phase: Phase = 'waiting';
  private linkUp = false;
  private registeredOnce = false;
  /** Held in memory for the run: a simulated machine proves it is its node as the real agent does. */
  private readonly enrollment = randomBytes(32).toString('base64url');
  private nodeCredential?: string;
  private failedAttempts = 0;
  private retryAt = 0;
  private lastFailure?: Failure;
  private nextSeq = 0;
  /** Sent and not yet acknowledged, oldest first: they go again, ahead of new ones. */
  private unacknowledged: MetricSample[] = [];
  private nextReportAt?: number;
  private reportInFlight = false;
  private nextPollAt = 0;
  private pollInFlight?: AbortController;
  private readonly commands = new Map<string, CommandRecord>();
  private cpuPercent = 5 + Math.random() * 30;
  private readonly link: AgentLink;

  constructor(
    readonly identity: AgentIdentity,
    private readonly behaviour: AgentBehaviour,
    private readonly counters: FleetCounters,
    private readonly hooks: FleetHooks,
    createLink: (events: LinkEvents) => AgentLink,
  ) {
    this.link = createLink({
      connected: () => this.onConnected(),
      disconnected: (reason) => this.onDisconnected(reason),
      connectFailed: (failure) => this.onConnectFailed(failure),
      commandRun: (command) => this.onCommandRun(command),
      commandCancel: () => this.counters.commands.cancels++,
    });
  }

  get started(): boolean {
    return this.phase !== 'waiting';
  }

  get connected(): boolean {
    return this.link.name === 'rest' ? this.phase === 'registered' : this.linkUp;
  }

  get registered(): boolean {
    return this.phase === 'registered';
  }

  get everRegistered(): boolean {
    return this.registeredOnce;
  }

  get failing(): boolean {
    return this.started && this.phase !== 'registered' && this.lastFailure !== undefined;
  }

  private get isStopped(): boolean {
    return this.phase === 'stopped';
  }

  /** Called by the fleet's scheduler: does whatever has come due. */
  tick(now: number): void {
    if ((this.phase === 'waiting' && now >= this.identity.startAt) || (this.phase === 'backoff' && now >= this.retryAt)) {
      this.connect();
      return;
    }
    if (this.phase !== 'registered') return;
    if (!this.reportInFlight && this.nextReportAt !== undefined && now >= this.nextReportAt) void this.report(now);
    if (this.link.poll && !this.pollInFlight && now >= this.nextPollAt) void this.poll();
  }

  /** For good: no more requests start; REST sessions are closed, sockets disconnected. */
  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.pollInFlight?.abort();
    await this.link.close();
    this.linkUp = false;
  }

  private connect(): void {
    this.phase = 'connecting';
    this.link.open();
  }

  private onConnected(): void {
    if (this.phase !== 'connecting') return;
    this.linkUp = true;
    void this.register();
  }

  private onDisconnected(reason: string): void {
    this.linkUp = false;
    if (this.phase === 'stopped') return;
    this.counters.connections.disconnects++;
    this.backOff({ kind: 'network', message: `disconnected: ${reason}` });
  }

  private onConnectFailed(failure: Failure): void {
    this.linkUp = false;
    if (this.phase === 'stopped') return;
    this.backOff(failure);
  }

  private async register(): Promise<void> {
    this.phase = 'registering';
    const { agentId, nodeName } = this.identity;
    const registration: AgentRegistration = {
      ...this.behaviour.registration,
      agentId,
      nodeName,
      hostname: nodeName,
      metricsIntervalSeconds: Math.max(1, Math.round(this.behaviour.reportIntervalMs / 1000)),
      enrollment: this.enrollment,
      ...(this.nodeCredential ? { nodeCredential: this.nodeCredential } : {}),
    };
    const sentAt = Date.now();
    const exchange = await this.counted(this.counters.registrations, this.link.register(registration));
    if (exchange.kind === 'acked') {
      this.counters.registerLatency.record(Date.now() - sentAt);
      if (this.phase === 'registering') this.onRegistered(exchange.value);
      return;
    }
    // Re-read after the await: stop() may have come meanwhile.
    if (this.isStopped) return;
    this.link.drop();
    if (exchange.kind === 'lost') return this.backOff(exchange.failure);
    this.counters.fail(`registration refused (${exchange.code}): ${withoutIds(exchange.message)}`);
    this.backOff(refusalFailure(exchange.message, exchange.code, undefined), false);
  }

  private onRegistered(node: RegisteredNode): void {
    const now = Date.now();
    if (node.nodeCredential) this.nodeCredential = node.nodeCredential;
    this.phase = 'registered';
    this.failedAttempts = 0;
    this.lastFailure = undefined;
    if (this.registeredOnce) this.counters.connections.reconnects++;
    this.registeredOnce = true;
    // The hub holds samples up to lastSeq: numbering goes on above, as the real agent's buffer does.
    if (node.lastSeq !== null && node.lastSeq >= this.nextSeq) this.nextSeq = node.lastSeq + 1;
    // The first report somewhere within the interval, so that a fleet started together does not report together.
    this.nextReportAt ??= now + Math.random() * this.behaviour.reportIntervalMs;
    this.nextPollAt = now;
    this.hooks.registered();
    for (const [commandId, record] of this.commands) if (!record.settled && !record.sending) void this.sendOutcome(commandId, record);
  }

  /** Waits with jittered exponential backoff before connecting again; `count` false when the failure was counted already. */
  private backOff(failure: Failure, count = true): void {
    if (this.phase === 'stopped' || this.phase === 'backoff') return;
    if (count) this.counters.fail(failure.message);
    this.lastFailure = failure;
    this.pollInFlight?.abort();
    this.phase = 'backoff';
    const base = this.behaviour.retryBaseMs * (needsConfigurationFix(failure.kind) ? TIMEOUT_LADDER.refusedKeyBackoffFactor : 1);
    this.retryAt = Date.now() + backoffDelay(this.failedAttempts++, base, this.behaviour.retryCapMs);
    this.hooks.failed(failure);
  }

  /** One report at a time (the gateway refuses a second while the first is stored): unacknowledged samples first. */
  private async report(now: number): Promise<void> {
    this.reportInFlight = true;
    const interval = this.behaviour.reportIntervalMs;
    this.nextReportAt = (this.nextReportAt ?? now) + interval;
    // Fallen behind (a slow acknowledgement): the next report is one interval away, not a burst to catch up.
    if (this.nextReportAt <= now) this.nextReportAt = now + interval;
    this.unacknowledged.push(...this.measure(now));
    const excess = this.unacknowledged.length - MAX_SAMPLES_PER_REPORT;
    if (excess > 0) {
      // As the real agent's full buffer does: the oldest go.
      this.unacknowledged.splice(0, excess);
      this.counters.samples.dropped += excess;
    }
    const samples = this.unacknowledged.slice();
    const { samples: sampleCounts } = this.counters;
    sampleCounts.sent += samples.length;
    sampleCounts.pending += samples.length;
    const sentAt = Date.now();
    const exchange = await this.counted(this.counters.reports, this.link.report({ agentId: this.identity.agentId, samples }));
    sampleCounts.pending -= samples.length;
    this.reportInFlight = false;
    if (exchange.kind === 'acked') {
      sampleCounts.acked += samples.length;
      this.counters.reportLatency.record(Date.now() - sentAt);
      const lastSeq = samples[samples.length - 1].seq;
      this.unacknowledged = this.unacknowledged.filter((sample) => sample.seq > lastSeq);
      return;
    }
    if (exchange.kind === 'lost') {
      sampleCounts.lost += samples.length;
      this.counters.fail(`report lost: ${exchange.failure.message}`);
      // Over REST a lost request means the gateway is away: the real agent closes its session and registers again later.
      if (this.link.name === 'rest' && exchange.failure.kind !== 'server') this.backOff(exchange.failure, false);
      return;
    }
    sampleCounts.refused += samples.length;
    this.counters.fail(`report refused (${exchange.code}): ${withoutIds(exchange.message)}`);
    // Refused as sent, they would be refused again: dropped, as the real agent does.
    if (deliveryVerdict(exchange.code) === 'drop') this.unacknowledged = this.unacknowledged.filter((sample) => !samples.includes(sample));
    if (exchange.code === 'not_registered' || exchange.code === 'forbidden') this.registerAgain();
  }

  /** REST: a long poll, then poll-interval, then again; what it brings is handled as if pushed over a socket. */
  private async poll(): Promise<void> {
    const { link } = this;
    if (!link.poll) return;
    const controller = new AbortController();
    this.pollInFlight = controller;
    this.counters.polls.sent++;
    const exchange = await link.poll(this.behaviour.pollWaitSeconds, controller.signal);
    if (this.pollInFlight === controller) this.pollInFlight = undefined;
    // Stopped, or the session this poll belonged to is gone: what it brings back is no longer this agent's business.
    if (controller.signal.aborted || this.phase !== 'registered') return;
    if (exchange.kind === 'acked') {
      this.counters.polls.answered++;
      for (const command of exchange.value.commands) this.onCommandRun(command);
      this.counters.commands.cancels += exchange.value.cancelled.length;
      this.nextPollAt = Date.now() + this.behaviour.pollIntervalMs;
      return;
    }
    this.counters.polls.failed++;
    if (exchange.kind === 'lost') {
      if (exchange.failure.kind !== 'server') return this.backOff(exchange.failure);
      this.counters.fail(`poll lost: ${exchange.failure.message}`);
    } else {
      this.counters.fail(`poll refused (${exchange.code}): ${withoutIds(exchange.message)}`);
      if (exchange.code === 'not_registered') return this.registerAgain();
    }
    this.nextPollAt = Date.now() + this.behaviour.retryBaseMs;
  }

  /** The session is gone (timed out at the gateway, say): register again at once, as the real agent does. */
  private registerAgain(): void {
    if (this.phase !== 'registered') return;
    this.pollInFlight?.abort();
    this.link.drop();
    this.phase = 'connecting';
    this.link.open();
  }

  /** Answers any command with `running` then `succeeded`; a command id seen before is not run again. */
  private onCommandRun(command: unknown): void {
    const { commands } = this.counters;
    commands.received++;
    const commandId = typeof command === 'object' && command !== null && 'id' in command && typeof command.id === 'string' ? command.id : undefined;
    if (!commandId) {
      commands.malformed++;
      this.counters.fail('malformed command: no id');
      return;
    }
    const known = this.commands.get(commandId);
    if (known) {
      commands.duplicates++;
      // Handed down again: the hub has not heard the outcome yet.
      if (!known.settled && !known.sending) void this.sendOutcome(commandId, known);
      return;
    }
    const record: CommandRecord = { receivedAt: Date.now(), settled: false, sending: true };
    this.remember(commandId, record);
    void this.run(commandId, record);
  }

  private async run(commandId: string, record: CommandRecord): Promise<void> {
    await this.sendUpdate({ commandId, state: 'running' });
    await this.sendOutcome(commandId, record);
  }

  private async sendOutcome(commandId: string, record: CommandRecord): Promise<void> {
    record.sending = true;
    const exchange = await this.sendUpdate({ commandId, state: 'succeeded', output: '', result: { simulated: true } });
    record.sending = false;
    if (record.settled) return;
    if (exchange.kind === 'acked') {
      record.settled = true;
      this.counters.commands.answered++;
      this.counters.commandRoundTrip.record(Date.now() - record.receivedAt);
    } else if (exchange.kind === 'refused' && deliveryVerdict(exchange.code) === 'drop') {
      record.settled = true;
    }
    // Otherwise it goes again after the next registration, or when the command is handed down again.
  }

  private async sendUpdate(update: CommandUpdate): Promise<Exchange<{ accepted: boolean }>> {
    const exchange = await this.counted(this.counters.commandUpdates, this.link.commandUpdate(update));
    if (exchange.kind === 'refused') this.counters.fail(`command update refused (${exchange.code}): ${withoutIds(exchange.message)}`);
    if (exchange.kind === 'lost') this.counters.fail(`command update lost: ${exchange.failure.message}`);
    return exchange;
  }

  private remember(commandId: string, record: CommandRecord): void {
    this.commands.set(commandId, record);
    // Maps iterate in insertion order: the first key is the oldest.
    if (this.commands.size > REMEMBERED_COMMANDS) this.commands.delete(this.commands.keys().next().value as string);
  }

  /** Counts a request as sent and pending, then by how it ended. */
  private async counted<T>(counts: ExchangeCounts, request: Promise<Exchange<T>>): Promise<Exchange<T>> {
    counts.sent++;
    counts.pending++;
    const exchange = await request;
    counts.pending--;
    counts[exchange.kind]++;
    return exchange;
  }

  /** `samplesPerReport` measurements spread over the interval that just passed, numbered on from the last. */
  private measure(now: number): MetricSample[] {
    const { samplesPerReport, reportIntervalMs, environments, registration } = this.behaviour;
    const spacingMs = reportIntervalMs / samplesPerReport;
    const environmentStatuses: EnvironmentStatus[] = Array.from({ length: environments }, (_, index) => ({ name: `env-${index + 1}`, status: 'running' }));
    const samples: MetricSample[] = [];
    for (let index = 0; index < samplesPerReport; index++) {
      // A random walk looks like a node's load, and costs nothing.
      this.cpuPercent = Math.min(100, Math.max(0, this.cpuPercent + (Math.random() - 0.5) * 10));
      samples.push({
        seq: this.nextSeq++,
        at: new Date(now - (samplesPerReport - 1 - index) * spacingMs).toISOString(),
        cpuPercent: Math.round(this.cpuPercent * 10) / 10,
        memoryUsedBytes: Math.round(registration.memoryTotalBytes * (0.3 + this.cpuPercent / 250)),
        memoryTotalBytes: registration.memoryTotalBytes,
        diskUsedBytes: Math.round(registration.diskTotalBytes * 0.4),
        diskTotalBytes: registration.diskTotalBytes,
        containersRunning: environments,
        environments: environmentStatuses,
      });
    }
    this.counters.samples.generated += samples.length;
    return samples;
  }
}

export const SIMULATED_NODE = { cpuCores: 4, memoryTotalBytes: 8 * GIB, diskTotalBytes: 100 * GIB } as const;
