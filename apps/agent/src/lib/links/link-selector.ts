import { backoffDelay, needsConfigurationFix, sendHttpRequest, TIMEOUT_LADDER } from '@thresh/agent-wire';
import type { AgentRegistration, RegisteredNode } from '@thresh/protocol';
import type { RunnableConfig } from '../agent-launch';
import type { ConnectionTarget } from '../agent-state';
import type { StatusView } from '../status/status-view';
import { trustedCertificates } from '../tls-trust';
import { AgentLink, LinkEvents, LinkFailure, LinkName } from './agent-link';
import { RestLink } from './rest-link';
import { SocketLink } from './socket-link';

/** WebSocket connections in a row that reached the host but got no WebSocket through, before auto considers REST. */
const SOCKET_FAILURES_BEFORE_FALLBACK = 2;

/** What the selector tells the agent: a link registered, and what the registered link brings. */
export interface LinkSelectorEvents {
  registered: (node: RegisteredNode) => void;
  commandRun: (command: unknown) => void;
  commandCancel: (commandId: string) => void;
}

export interface LinkSelectorOptions {
  config: RunnableConfig;
  registration: AgentRegistration;
  status: StatusView;
  log: (message: string) => void;
  /** Keeps a node credential the hub issued (0600 in THRESH_HOME), before the agent goes on. */
  keepNodeCredential: (credential: string) => void;
  events: LinkSelectorEvents;
  /** A new link of that kind to that URL; a SocketLink or RestLink with the agent's settings unless told. */
  createLink?: (name: LinkName, url: string) => AgentLink;
  /** The status `<url>/health` answers with, undefined when nothing answers HTTP. */
  healthStatus?: (url: string, timeoutMs: number) => Promise<number | undefined>;
  /** Tests only: milliseconds between WebSocket attempts while auto polls over REST, below the setting's minimum. */
  websocketRetryMs?: number;
  /** Tests only: milliseconds the primary must be unreachable before failing over, below failover-timeout's minimum. */
  failoverTimeoutMs?: number;
  /** Tests only: milliseconds between health checks of the primary while on the fallback. */
  primaryProbeIntervalMs?: number;
}

/**
 * Keeps one agent link registered: the one the transport setting asks for (Socket.IO over WebSocket, or REST polling,
 * which auto falls back to where WebSockets do not get through). With auto-failover, moves to fallback-url while the
 * primary is down, and back once the primary has been healthy for failback-delay.
 */
export class LinkSelector {
  /** The link that sends; the others are stopped or on trial. */
  private link?: AgentLink;
  private linkRegistered = false;
  /** While auto polls over REST: a WebSocket on trial, which takes over once it has registered. */
  private websocketAttempt?: AgentLink;
  private websocketAttemptTimer?: NodeJS.Timeout;
  private websocketRetryTimer?: NodeJS.Timeout;
  private socketNetworkFailures = 0;
  private checkingFallback = false;
  private stopped = false;
  private target: ConnectionTarget = 'primary';
  private targetUrl: string;
  /** Since when the target has been out of reach; undefined while registered, or while only a person can fix what is wrong. */
  private outageSince?: number;
  private failoverTimer?: NodeJS.Timeout;
  private primaryProbeTimer?: NodeJS.Timeout;
  /** While on the fallback: since when every health check of the primary has answered 200. */
  private primaryHealthySince?: number;
  /** What the agent registers with: the node credential joins it once the hub has issued one. */
  private registration: AgentRegistration;
  private readonly createLink: (name: LinkName, url: string) => AgentLink;
  private readonly healthStatus: (url: string, timeoutMs: number) => Promise<number | undefined>;

  constructor(private readonly options: LinkSelectorOptions) {
    this.registration = options.registration;
    this.targetUrl = options.config['midtier-url'];
    const { config } = options;
    // The system's CAs and tls-ca's, read once at start; undefined without tls-ca.
    const trustedCa = trustedCertificates(config['tls-ca']);
    this.createLink =
      options.createLink ??
      ((name, url) => {
        const settings = { url, apiKey: config['api-key'], tlsVerify: config['tls-verify'], trustedCa, reconnectDelaySeconds: config['reconnect-delay'] };
        return name === 'rest' ? new RestLink({ ...settings, pollIntervalSeconds: config['poll-interval'] }) : new SocketLink(settings);
      });
    const trust = { rejectUnauthorized: config['tls-verify'], ca: trustedCa };
    this.healthStatus = options.healthStatus ?? ((url, timeoutMs) => sendHttpRequest(new URL('/health', url), { method: 'GET', timeoutMs, ...trust }).then((answer) => answer.status, () => undefined));
  }

  /** The link in use once it has registered: it carries reports and command updates. */
  get registeredLink(): AgentLink | undefined {
    return this.linkRegistered ? this.link : undefined;
  }

  /** Starts on the primary; says over what. */
  start(): string {
    return this.connect().description;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.websocketRetryTimer);
    clearTimeout(this.websocketAttemptTimer);
    clearTimeout(this.failoverTimer);
    clearTimeout(this.primaryProbeTimer);
    await Promise.all([this.link?.stop('shutdown'), this.websocketAttempt?.stop('shutdown')]);
  }

  /** Starts on the target with the link the setting asks for first; the outage clock runs until it registers. */
  private connect(): AgentLink {
    // signalr is the name older configurations use for the same Socket.IO connection.
    const first = this.createLink(this.options.config.transport === 'rest' ? 'rest' : 'socketio', this.targetUrl);
    this.use(first);
    this.outageBegins();
    return first;
  }

  private use(link: AgentLink): void {
    this.link = link;
    this.linkRegistered = false;
    this.options.status.update({ status: 'connecting', transport: link.description });
    link.start(this.eventsOf(link));
  }

  /** A link's events count only while it is the one in use, or the one on trial. */
  private eventsOf(link: AgentLink): LinkEvents {
    return {
      connected: () => this.onConnected(link),
      disconnected: (reason) => this.onDisconnected(link, reason),
      error: (failure) => this.onLinkError(link, failure),
      // A link on trial has not registered: commands come over the one in use.
      commandRun: (command) => {
        if (link === this.link) this.options.events.commandRun(command);
      },
      commandCancel: (commandId) => {
        if (link === this.link) this.options.events.commandCancel(commandId);
      },
    };
  }

  private onConnected(link: AgentLink): void {
    if (this.stopped) return;
    if (link === this.websocketAttempt) void this.registerWebSocketAttempt(link);
    if (link !== this.link) return;
    if (link.name === 'socketio') this.socketNetworkFailures = 0;
    void this.register(link);
  }

  private onDisconnected(link: AgentLink, reason: string): void {
    if (link === this.websocketAttempt) this.abandonWebSocketAttempt(`disconnected (${reason})`, true);
    if (link !== this.link || this.stopped) return;
    this.linkRegistered = false;
    this.options.log(`disconnected (${reason}); reconnecting`);
    this.options.status.update({ status: 'connecting' });
    this.outageBegins();
  }

  private onLinkError(link: AgentLink, failure: LinkFailure): void {
    if (link === this.websocketAttempt) this.abandonWebSocketAttempt(failure.message, failure.kind === 'network' || failure.kind === 'unreachable');
    if (link !== this.link || this.stopped) return;
    const needsFix = needsConfigurationFix(failure.kind);
    if (failure.message !== this.options.status.current.lastError) this.options.log(`cannot connect: ${failure.message}`);
    this.options.status.update({ status: needsFix ? 'disconnected' : 'connecting', lastError: failure.message });
    // Only an outage is a reason to move: the fallback would refuse the same key, and a certificate problem needs a person.
    if (needsFix) this.outageEnds();
    else this.outageBegins();
    if (this.options.config.transport !== 'auto' || link.name !== 'socketio') return;
    // Only a host reached without a WebSocket getting through counts: a refusal came over one, a closed port means down.
    this.socketNetworkFailures = failure.kind === 'network' ? this.socketNetworkFailures + 1 : 0;
    if (this.socketNetworkFailures >= SOCKET_FAILURES_BEFORE_FALLBACK) void this.fallBackToRest(link, failure.message);
  }

  /** The link reports a refused registration as an error and tries again by itself. */
  private async register(link: AgentLink): Promise<void> {
    const result = await link.register(this.registration);
    if (result.ok && link === this.link && !this.stopped) this.onRegistered(link, result);
  }

  private onRegistered(link: AgentLink, node: RegisteredNode): void {
    if (node.nodeCredential) {
      this.options.keepNodeCredential(node.nodeCredential);
      this.registration = { ...this.registration, nodeCredential: node.nodeCredential };
      this.options.log(`the hub issued this machine its node credential (kept in THRESH_HOME): only it can register as node ${node.nodeName} now`);
    }
    this.outageEnds();
    this.options.log(`registered as node ${node.nodeName} (${node.nodeId}) over ${link.description}`);
    this.options.status.update({
      status: 'connected',
      nodeId: node.nodeId,
      nodeName: node.nodeName,
      transport: link.description,
      lastError: null,
      lastReportAt: new Date().toISOString(),
    });
    this.linkRegistered = true;
    this.options.events.registered(node);
  }

  /** WebSockets fail but the host answers plain HTTP: a proxy or firewall in between lets no WebSocket through. */
  private async fallBackToRest(socket: AgentLink, socketError: string): Promise<void> {
    if (this.checkingFallback) return;
    this.checkingFallback = true;
    try {
      const hostAnswers = (await this.healthStatus(this.targetUrl, TIMEOUT_LADDER.healthCheckMs)) !== undefined;
      // The socket may have connected meanwhile; a host that does not answer HTTP either is simply down.
      if (!hostAnswers || this.stopped || this.link !== socket || this.socketNetworkFailures < SOCKET_FAILURES_BEFORE_FALLBACK) return;
      const reason = `WebSockets unavailable (${socketError})`;
      this.options.log(`${reason}: using REST polling`);
      void socket.stop('replaced');
      this.options.status.update({ fallbackReason: reason });
      this.use(this.createLink('rest', this.targetUrl));
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
    const attempt = this.createLink('socketio', this.targetUrl);
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
    const rest = this.link;
    // Registering over the socket replaced the REST session: polling just stops, without unregistering.
    this.link = attempt;
    this.socketNetworkFailures = 0;
    void rest?.stop('replaced');
    this.options.log(`WebSockets work again: moved from REST polling to ${attempt.description}`);
    this.options.status.update({ fallbackReason: null });
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
      this.options.status.update({ fallbackReason: `WebSockets unavailable (${reason})` });
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
    const timeoutMs = this.options.failoverTimeoutMs ?? this.options.config['failover-timeout'] * 1000;
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

  private failOver(fallbackUrl: string, timeoutMs: number): void {
    if (this.stopped || this.target !== 'primary' || this.linkRegistered || this.outageSince === undefined) return;
    this.options.log(`primary ${this.targetUrl} unreachable for ${formatSeconds(timeoutMs)}: failing over to ${fallbackUrl}`);
    this.moveTo('fallback', fallbackUrl);
    this.schedulePrimaryProbe();
  }

  /**
   * A fresh link to the other server. Unacknowledged samples stay buffered and go to the new one, whose registration
   * says from which sequence number on; unsent command outcomes go again once it has registered.
   */
  private moveTo(target: ConnectionTarget, url: string): void {
    clearTimeout(this.websocketRetryTimer);
    clearTimeout(this.websocketAttemptTimer);
    void this.websocketAttempt?.stop('replaced');
    this.websocketAttempt = undefined;
    // Left open rather than unregistered: an unregister reaching the hub late could take the node offline after its move.
    void this.link?.stop('replaced');
    this.link = undefined;
    this.linkRegistered = false;
    this.socketNetworkFailures = 0;
    clearTimeout(this.primaryProbeTimer);
    this.primaryHealthySince = undefined;
    this.outageEnds();
    this.target = target;
    this.targetUrl = url;
    this.options.status.update({ target, targetUrl: url, targetSince: new Date().toISOString(), fallbackReason: null, lastError: null });
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
    const status = await this.healthStatus(primaryUrl, TIMEOUT_LADDER.primaryProbeTimeoutMs);
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
}

/** "30s", "1.5s". */
function formatSeconds(milliseconds: number): string {
  return `${milliseconds / 1000}s`;
}
