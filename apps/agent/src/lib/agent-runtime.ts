import { backoffDelay, deliveryVerdict, needsConfigurationFix, TIMEOUT_LADDER } from '@thresh/agent-wire';
import { AgentRegistration, CommandUpdate, MAX_REPORT_BYTES, MAX_SAMPLES_PER_REPORT, RegisteredNode } from '@thresh/protocol';
import { AgentConfig } from './agent-config';
import { AgentState, ConnectionStatus, ConnectionTarget, writeAgentState } from './agent-state';
import { SampleValues } from './metrics-collector';
import { SampleBuffer } from './sample-buffer';
import { trustedCertificates } from './tls-trust';
import { AgentLink, LinkEvents, LinkFailure, LinkSettings } from './links/agent-link';
import { answersHttp, healthStatus, TlsTrust } from './links/http-request';
import { RestLink } from './links/rest-link';
import { SocketLink } from './links/socket-link';

/** WebSocket connections in a row that reached the host but got no WebSocket through, before auto considers REST. */
const SOCKET_FAILURES_BEFORE_FALLBACK = 2;

export interface AgentRuntimeOptions {
  config: AgentConfig & { 'midtier-url': string; 'api-key': string };
  registration: AgentRegistration;
  buffer: SampleBuffer;
  collect: () => Promise<SampleValues>;
  log: (message: string) => void;
  /** Keeps a node credential the hub issued (0600 in THRESH_HOME), before the agent goes on. */
  keepNodeCredential: (credential: string) => void;
  /** Where commands from the hub go, and who hears that the node (re)registered. */
  commands?: {
    run: (command: unknown) => void;
    cancel: (commandId: string) => void;
    registered: () => void;
  };
  /** Tests only: milliseconds between WebSocket attempts while auto polls over REST, below the setting's minimum. */
  websocketRetryMs?: number;
  /** Tests only: milliseconds the primary must be unreachable before failing over, below failover-timeout's minimum. */
  failoverTimeoutMs?: number;
  /** Tests only: milliseconds between health checks of the primary while on the fallback. */
  primaryProbeIntervalMs?: number;
}

/**
 * Keeps this node connected to its mid-tier, registered, and reporting, over one transport at a time: Socket.IO over
 * WebSocket, or REST polling (`transport rest`, or `auto` where WebSockets do not get through). With auto-failover,
 * moves to fallback-url while the primary is down, and back once the primary has been healthy for failback-delay.
 */
export class AgentRuntime {
  /** The transport that sends; the others are stopped or on trial. */
  private transport?: AgentLink;
  /** While auto polls over REST: a WebSocket on trial, which takes over once it has registered. */
  private websocketAttempt?: AgentLink;
  private websocketAttemptTimer?: NodeJS.Timeout;
  private websocketRetryTimer?: NodeJS.Timeout;
  private socketNetworkFailures = 0;
  private checkingFallback = false;
  private collectTimer?: NodeJS.Timeout;
  private registered = false;
  private sending = false;
  private stopped = false;
  private target: ConnectionTarget = 'primary';
  private targetUrl: string;
  /** Since when the target has been out of reach; undefined while registered, or while only a person can fix what is wrong. */
  private outageSince?: number;
  private failoverTimer?: NodeJS.Timeout;
  private primaryProbeTimer?: NodeJS.Timeout;
  /** While on the fallback: since when every health check of the primary has answered 200. */
  private primaryHealthySince?: number;
  /** The system's CAs and tls-ca's, read once at start; undefined without tls-ca. */
  private readonly trustedCa?: string[];
  private readonly state: AgentState;
  /** What the agent registers with: the node credential joins it once the hub has issued one. */
  private registration: AgentRegistration;

  constructor(private readonly options: AgentRuntimeOptions) {
    this.registration = options.registration;
    this.targetUrl = options.config['midtier-url'];
    this.trustedCa = trustedCertificates(options.config['tls-ca']);
    this.state = {
      pid: process.pid,
      agentId: options.registration.agentId,
      status: 'connecting',
      url: options.config['midtier-url'],
      target: this.target,
      targetUrl: this.targetUrl,
      targetSince: new Date().toISOString(),
      transport: options.config.transport,
      fallbackReason: null,
      startedAt: new Date().toISOString(),
      lastReportAt: null,
      nodeName: options.registration.nodeName,
      nodeId: null,
      lastError: null,
      bufferedSamples: options.buffer.size,
      droppedSamples: options.buffer.dropped,
    };
  }

  start(): void {
    const { config } = this.options;
    const first = this.connect();
    // Measuring goes on whether or not the midtier is reachable: the buffer keeps what cannot be sent yet.
    this.collectTimer = setInterval(() => void this.measure(), config['metrics-interval'] * 1000);
    void this.measure();
    this.options.log(
      `connecting to ${config['midtier-url']} as ${this.state.nodeName} (agent ${this.state.agentId}) over ${first.description}` +
        (config.transport === 'auto' ? ', REST polling if WebSockets are blocked' : ''),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.collectTimer);
    clearTimeout(this.websocketRetryTimer);
    clearTimeout(this.websocketAttemptTimer);
    clearTimeout(this.failoverTimer);
    clearTimeout(this.primaryProbeTimer);
    await Promise.all([this.transport?.stop('shutdown'), this.websocketAttempt?.stop('shutdown')]);
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  /** True once the hub has the update (accepted, or known already); false when it must be sent again later. */
  async sendCommandUpdate(update: CommandUpdate): Promise<boolean> {
    const transport = this.transport;
    if (!this.registered || !transport) return false;
    const result = await transport.commandUpdate(update);
    if (result.ok) return true;
    // The session ended under it, or the hub is in trouble: it goes again after the next registration.
    if (!this.registered || deliveryVerdict(result.error.code) !== 'drop') return false;
    // A refusal of the update itself will not change by sending it again.
    this.options.log(`the hub refused a command update: ${result.error.message}`);
    return true;
  }

  private socketTransport(): SocketLink {
    return new SocketLink(this.transportSettings());
  }

  private restTransport(): RestLink {
    return new RestLink({ ...this.transportSettings(), pollIntervalSeconds: this.options.config['poll-interval'] });
  }

  private transportSettings(): LinkSettings {
    const { config } = this.options;
    return {
      url: this.targetUrl,
      apiKey: config['api-key'],
      tlsVerify: config['tls-verify'],
      trustedCa: this.trustedCa,
      reconnectDelaySeconds: config['reconnect-delay'],
    };
  }

  private tlsTrust(): TlsTrust {
    return { rejectUnauthorized: this.options.config['tls-verify'], ca: this.trustedCa };
  }

  /** Starts on the target with the transport the setting asks for first; the outage clock runs until it registers. */
  private connect(): AgentLink {
    // signalr is the name older configurations use for the same Socket.IO connection.
    const first = this.options.config.transport === 'rest' ? this.restTransport() : this.socketTransport();
    this.use(first);
    this.outageBegins();
    return first;
  }

  private use(transport: AgentLink): void {
    this.transport = transport;
    this.registered = false;
    this.update({ status: 'connecting', transport: transport.description });
    transport.start(this.eventsOf(transport));
  }

  /** A transport's events count only while it is the one in use, or the one on trial. */
  private eventsOf(transport: AgentLink): LinkEvents {
    return {
      connected: () => this.onConnected(transport),
      disconnected: (reason) => this.onDisconnected(transport, reason),
      error: (failure) => this.onTransportError(transport, failure),
      // A transport on trial has not registered: commands come over the one in use.
      commandRun: (command) => {
        if (transport === this.transport) this.options.commands?.run(command);
      },
      commandCancel: (commandId) => {
        if (transport === this.transport) this.options.commands?.cancel(commandId);
      },
    };
  }

  private onConnected(transport: AgentLink): void {
    if (this.stopped) return;
    if (transport === this.websocketAttempt) void this.registerWebSocketAttempt(transport);
    if (transport !== this.transport) return;
    if (transport.name === 'socketio') this.socketNetworkFailures = 0;
    void this.register(transport);
  }

  private onDisconnected(transport: AgentLink, reason: string): void {
    if (transport === this.websocketAttempt) this.abandonWebSocketAttempt(`disconnected (${reason})`, true);
    if (transport !== this.transport || this.stopped) return;
    this.registered = false;
    this.options.log(`disconnected (${reason}); reconnecting`);
    this.update({ status: 'connecting' });
    this.outageBegins();
  }

  private onTransportError(transport: AgentLink, failure: LinkFailure): void {
    if (transport === this.websocketAttempt) this.abandonWebSocketAttempt(failure.message, failure.kind === 'network' || failure.kind === 'unreachable');
    if (transport !== this.transport || this.stopped) return;
    const needsFix = needsConfigurationFix(failure.kind);
    if (failure.message !== this.state.lastError) this.options.log(`cannot connect: ${failure.message}`);
    this.update({ status: needsFix ? 'disconnected' : 'connecting', lastError: failure.message });
    // Only an outage is a reason to move: the fallback would refuse the same key, and a certificate problem needs a person.
    if (needsFix) this.outageEnds();
    else this.outageBegins();
    if (this.options.config.transport !== 'auto' || transport.name !== 'socketio') return;
    // Only a host reached without a WebSocket getting through counts: a refusal came over one, a closed port means down.
    this.socketNetworkFailures = failure.kind === 'network' ? this.socketNetworkFailures + 1 : 0;
    if (this.socketNetworkFailures >= SOCKET_FAILURES_BEFORE_FALLBACK) void this.fallBackToRest(transport, failure.message);
  }

  /** The transport reports a refused registration as an error and tries again by itself. */
  private async register(transport: AgentLink): Promise<void> {
    const result = await transport.register(this.registration);
    if (result.ok && transport === this.transport && !this.stopped) this.onRegistered(transport, result);
  }

  private onRegistered(transport: AgentLink, node: RegisteredNode): void {
    if (node.nodeCredential) {
      this.options.keepNodeCredential(node.nodeCredential);
      this.registration = { ...this.registration, nodeCredential: node.nodeCredential };
      this.options.log(`the hub issued this machine its node credential (kept in THRESH_HOME): only it can register as node ${node.nodeName} now`);
    }
    this.outageEnds();
    this.options.buffer.continueAbove(node.lastSeq);
    this.options.log(`registered as node ${node.nodeName} (${node.nodeId}) over ${transport.description}`);
    this.update({
      status: 'connected',
      nodeId: node.nodeId,
      nodeName: node.nodeName,
      transport: transport.description,
      lastError: null,
      lastReportAt: new Date().toISOString(),
    });
    this.registered = true;
    // Buffered samples first: whatever waited through the outage goes before new ones.
    void this.sendBuffered();
    this.options.commands?.registered();
  }

  /** WebSockets fail but the host answers plain HTTP: a proxy or firewall in between lets no WebSocket through. */
  private async fallBackToRest(socket: AgentLink, socketError: string): Promise<void> {
    if (this.checkingFallback) return;
    this.checkingFallback = true;
    try {
      const hostAnswers = await answersHttp(this.targetUrl, this.tlsTrust(), TIMEOUT_LADDER.healthCheckMs);
      // The socket may have connected meanwhile; a host that does not answer HTTP either is simply down.
      if (!hostAnswers || this.stopped || this.transport !== socket || this.socketNetworkFailures < SOCKET_FAILURES_BEFORE_FALLBACK) return;
      const reason = `WebSockets unavailable (${socketError})`;
      this.options.log(`${reason}: using REST polling`);
      void socket.stop('replaced');
      this.update({ fallbackReason: reason });
      this.use(this.restTransport());
      this.scheduleWebSocketAttempt();
    } finally {
      this.checkingFallback = false;
    }
  }

  private scheduleWebSocketAttempt(): void {
    if (this.stopped) return;
    const baseMs = this.options.websocketRetryMs ?? this.options.config['websocket-retry'] * 1000;
    this.websocketRetryTimer = setTimeout(() => this.tryWebSocket(), backoffDelay(0, baseMs, baseMs));
  }

  private tryWebSocket(): void {
    if (this.stopped) return;
    const attempt = this.socketTransport();
    this.websocketAttempt = attempt;
    this.websocketAttemptTimer = setTimeout(
      () => this.abandonWebSocketAttempt(`no connection within ${TIMEOUT_LADDER.websocketAttemptMs / 1000}s`, true),
      TIMEOUT_LADDER.websocketAttemptMs,
    );
    attempt.start(this.eventsOf(attempt));
  }

  private async registerWebSocketAttempt(attempt: AgentLink): Promise<void> {
    const result = await attempt.register(this.registration);
    // A refused registration came as an error event, which abandoned the attempt already.
    if (!result.ok || attempt !== this.websocketAttempt || this.stopped) return;
    clearTimeout(this.websocketAttemptTimer);
    this.websocketAttempt = undefined;
    const rest = this.transport;
    // Registering over the socket replaced the REST session: polling just stops, without unregistering.
    this.transport = attempt;
    this.socketNetworkFailures = 0;
    void rest?.stop('replaced');
    this.options.log(`WebSockets work again: moved from REST polling to ${attempt.description}`);
    this.update({ fallbackReason: null });
    this.onRegistered(attempt, result);
  }

  /**
   * The WebSocket on trial did not make it: REST polling goes on, and another attempt comes later. `blocked` says
   * whether no WebSocket got through; otherwise one did and the mid-tier refused it (a revoked key, its hub away).
   */
  private abandonWebSocketAttempt(reason: string, blocked: boolean): void {
    const attempt = this.websocketAttempt;
    if (!attempt) return;
    this.websocketAttempt = undefined;
    clearTimeout(this.websocketAttemptTimer);
    void attempt.stop('replaced');
    if (this.stopped) return;
    if (blocked) {
      this.options.log(`WebSockets still unavailable (${reason}); staying on REST polling`);
      this.update({ fallbackReason: `WebSockets unavailable (${reason})` });
    } else {
      this.options.log(`a WebSocket got through but was refused (${reason}); staying on REST polling`);
    }
    this.scheduleWebSocketAttempt();
  }

  /** The target cannot be reached: the clock towards failover starts, unless it runs already. */
  private outageBegins(): void {
    if (this.outageSince !== undefined) return;
    this.outageSince = Date.now();
    const fallbackUrl = this.failoverUrl();
    if (!fallbackUrl || this.target !== 'primary' || this.stopped) return;
    const timeoutMs = this.failoverTimeoutMs();
    this.failoverTimer = setTimeout(() => this.failOver(fallbackUrl, timeoutMs), timeoutMs);
  }

  /** Registered, or held up by what only a person can fix: no failover. */
  private outageEnds(): void {
    this.outageSince = undefined;
    clearTimeout(this.failoverTimer);
  }

  /** Where to fail over to, when the settings allow it. */
  private failoverUrl(): string | undefined {
    const { config } = this.options;
    const fallbackUrl = config['fallback-url'];
    return config['auto-failover'] && fallbackUrl && fallbackUrl !== config['midtier-url'] ? fallbackUrl : undefined;
  }

  private failoverTimeoutMs(): number {
    return this.options.failoverTimeoutMs ?? this.options.config['failover-timeout'] * 1000;
  }

  private failOver(fallbackUrl: string, timeoutMs: number): void {
    if (this.stopped || this.target !== 'primary' || this.registered || this.outageSince === undefined) return;
    this.options.log(`primary ${this.targetUrl} unreachable for ${formatSeconds(timeoutMs)}: failing over to ${fallbackUrl}`);
    this.moveTo('fallback', fallbackUrl);
    this.schedulePrimaryProbe();
  }

  /**
   * A fresh transport on the other server. Unacknowledged samples stay buffered and go to the new one, whose
   * registration says from which sequence number on; unsent command outcomes go again once it has registered.
   */
  private moveTo(target: ConnectionTarget, url: string): void {
    clearTimeout(this.websocketRetryTimer);
    clearTimeout(this.websocketAttemptTimer);
    void this.websocketAttempt?.stop('replaced');
    this.websocketAttempt = undefined;
    // Left open rather than unregistered: an unregister reaching the hub late could take the node offline after its move.
    void this.transport?.stop('replaced');
    this.transport = undefined;
    this.registered = false;
    this.socketNetworkFailures = 0;
    clearTimeout(this.primaryProbeTimer);
    this.primaryHealthySince = undefined;
    this.outageEnds();
    this.target = target;
    this.targetUrl = url;
    this.update({ target, targetUrl: url, targetSince: new Date().toISOString(), fallbackReason: null, lastError: null });
    this.connect();
  }

  /** While on the fallback, the primary's /health every few seconds; failback-delay 0 stays on the fallback. */
  private schedulePrimaryProbe(): void {
    if (this.stopped || this.target !== 'fallback' || this.options.config['failback-delay'] === 0) return;
    const intervalMs = this.options.primaryProbeIntervalMs ?? TIMEOUT_LADDER.primaryProbeIntervalMs;
    this.primaryProbeTimer = setTimeout(() => void this.probePrimary(), backoffDelay(0, intervalMs, intervalMs));
  }

  private async probePrimary(): Promise<void> {
    const primaryUrl = this.options.config['midtier-url'];
    const status = await healthStatus(primaryUrl, this.tlsTrust(), TIMEOUT_LADDER.primaryProbeTimeoutMs);
    if (this.stopped || this.target !== 'fallback') return;
    // Any break in the answers starts the wait again: a flapping primary is not worth moving back to.
    if (status !== 200) this.primaryHealthySince = undefined;
    else this.primaryHealthySince ??= Date.now();
    const failbackDelayMs = this.options.config['failback-delay'] * 1000;
    if (this.primaryHealthySince !== undefined && Date.now() - this.primaryHealthySince >= failbackDelayMs) {
      this.options.log(`primary healthy for ${formatSeconds(failbackDelayMs)}: failing back to ${primaryUrl}`);
      this.moveTo('primary', primaryUrl);
      return;
    }
    this.schedulePrimaryProbe();
  }

  private async measure(): Promise<void> {
    try {
      this.options.buffer.append(await this.options.collect());
      this.update({ bufferedSamples: this.options.buffer.size, droppedSamples: this.options.buffer.dropped });
    } catch (error) {
      this.options.log(`could not measure this node: ${(error as Error).message}`);
    }
    await this.sendBuffered();
  }

  /**
   * One report in flight at a time, whichever transport carries it, oldest samples first; a sample leaves the buffer
   * only once acknowledged, so a switch of transport neither loses nor repeats one.
   */
  private async sendBuffered(): Promise<void> {
    if (this.sending || !this.registered) return;
    this.sending = true;
    const startedOver = this.transport;
    try {
      const nextReport = () => this.options.buffer.peek(MAX_SAMPLES_PER_REPORT, MAX_REPORT_BYTES);
      for (let batch = nextReport(); batch.length > 0 && this.registered && this.transport; batch = nextReport()) {
        const result = await this.transport.report({ agentId: this.state.agentId, samples: batch });
        const verdict = result.ok ? undefined : deliveryVerdict(result.error.code);
        if (!result.ok && verdict !== 'drop') {
          this.options.log(`report of ${batch.length} sample(s) not stored yet (${result.error.message}); kept for later`);
          break;
        }
        // Refused as sent, it would be refused again and hold back every sample behind it.
        if (!result.ok) this.options.log(`the mid-tier refused a report of ${batch.length} sample(s): ${result.error.message}; dropped`);
        this.options.buffer.acknowledge(batch[batch.length - 1].seq);
        this.update({ lastReportAt: new Date().toISOString(), bufferedSamples: this.options.buffer.size });
      }
    } finally {
      this.sending = false;
    }
    // The transport changed while a report was in flight: the new one carries on now, not at the next measurement.
    if (this.transport !== startedOver && this.registered) void this.sendBuffered();
  }

  private update(patch: Partial<AgentState>): void {
    Object.assign(this.state, patch);
    this.publish();
  }

  private publish(): void {
    try {
      writeAgentState(this.state);
    } catch (error) {
      this.options.log(`could not write the state file: ${(error as Error).message}`);
    }
  }
}

/** "30s", "1.5s". */
function formatSeconds(milliseconds: number): string {
  return `${milliseconds / 1000}s`;
}
