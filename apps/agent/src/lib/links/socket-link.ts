import { Ack, AGENT_NAMESPACE, AgentRegistration, AgentToMidtierEvents, CommandUpdate, MetricsReport, MidtierToAgentEvents, RegisteredNode } from '@thresh/protocol';
import { backoffDelay, TIMEOUT_LADDER } from '@thresh/agent-wire';
import { io, Socket } from 'socket.io-client';
import { AgentLink, LinkEvents, LinkSettings, LinkStopReason } from './agent-link';
import { classifyConnectionFailure } from './connection-failure';

type AgentSocket = Socket<MidtierToAgentEvents, AgentToMidtierEvents>;

/** Socket.IO over WebSocket only: long-polling through a proxy is what the REST link does, and does better. */
export class SocketLink implements AgentLink {
  readonly name = 'socketio';
  readonly description = 'socketio (websocket)';
  private socket?: AgentSocket;
  private events?: LinkEvents;
  private retryTimer?: NodeJS.Timeout;
  private failedAttempts = 0;
  private stopped = false;

  /** "host:port", as failures name the server. */
  private readonly host: string;

  constructor(private readonly settings: LinkSettings) {
    this.host = new URL(settings.url).host;
  }

  start(events: LinkEvents): void {
    const { settings } = this;
    const delayMs = settings.reconnectDelaySeconds * 1000;
    const socket: AgentSocket = io(new URL(AGENT_NAMESPACE, settings.url).toString(), {
      auth: { key: settings.apiKey },
      transports: ['websocket'],
      reconnectionDelay: delayMs,
      reconnectionDelayMax: Math.max(delayMs, TIMEOUT_LADDER.reconnectCapMs),
      randomizationFactor: 0.5,
      rejectUnauthorized: settings.tlsVerify,
      ca: settings.trustedCa,
    });
    this.events = events;
    socket.on('connect', () => {
      this.failedAttempts = 0;
      events.connected();
    });
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      events.disconnected(reason);
      // socket.io does not come back by itself when the server closed the connection (a revoked key, say).
      if (reason === 'io server disconnect') this.scheduleReconnect(false);
    });
    socket.on('connect_error', (error) => this.onConnectError(error));
    socket.on('command:run', (command) => events.commandRun(command));
    socket.on('command:cancel', (event) => events.commandCancel(event?.commandId));
    this.socket = socket;
  }

  async stop(_reason: LinkStopReason): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.disconnect();
    for (const abandon of [...this.unanswered]) abandon();
  }

  async register(registration: AgentRegistration): Promise<Ack<RegisteredNode>> {
    const result = await this.request<RegisteredNode>('agent:register', registration);
    if (!result.ok && !this.stopped) {
      const failure = classifyConnectionFailure({ message: result.error.message, data: { code: result.error.code } }, this.host);
      // The mid-tier could not reach the hub, say: try the whole handshake again later.
      this.socket?.disconnect();
      this.scheduleReconnect(failure.kind === 'refused');
      this.events?.error(failure.kind === 'refused' ? failure : { ...failure, message: `registration refused: ${failure.message}` });
    }
    return result;
  }

  report(report: MetricsReport): Promise<Ack<{ accepted: number }>> {
    return this.request('metrics:report', report, TIMEOUT_LADDER.reportMs);
  }

  commandUpdate(update: CommandUpdate): Promise<Ack<{ accepted: boolean }>> {
    return this.request('command:update', update, TIMEOUT_LADDER.reportMs);
  }

  /** Settles every request still waiting for its answer: a stopping agent must not wait out their timeouts. */
  private readonly unanswered = new Set<() => void>();

  private request<R extends object>(event: keyof AgentToMidtierEvents, payload: unknown, timeoutMs: number = TIMEOUT_LADDER.requestMs): Promise<Ack<R>> {
    const socket = this.socket as Socket | undefined;
    if (!socket || this.stopped) return Promise.resolve({ ok: false, error: { code: 'hub_unavailable', message: `not connected: ${event} not sent` } });
    return new Promise((resolve) => {
      const settle = (result: Ack<R>) => {
        clearTimeout(timer);
        this.unanswered.delete(abandon);
        resolve(result);
      };
      const abandon = () => settle({ ok: false, error: { code: 'hub_unavailable', message: `${event} abandoned: the agent is stopping` } });
      const timer = setTimeout(() => settle({ ok: false, error: { code: 'hub_unavailable', message: `no answer to ${event} within ${timeoutMs / 1000}s` } }), timeoutMs);
      this.unanswered.add(abandon);
      socket.emit(event, payload, (result: Ack<R>) => settle(result));
    });
  }

  /** A handshake answered with `data` came through the WebSocket: the mid-tier itself said no. Else the WebSocket failed. */
  private onConnectError(error: Error): void {
    if (this.stopped) return;
    const failure = classifyConnectionFailure(error, this.host);
    this.events?.error(failure);
    // socket.io retries failures of its own transport itself, but not a handshake the server refused.
    if (!this.socket?.active) this.scheduleReconnect(failure.kind === 'refused');
  }

  private scheduleReconnect(refused: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const base = this.settings.reconnectDelaySeconds * 1000 * (refused ? TIMEOUT_LADDER.refusedKeyBackoffFactor : 1);
    const delay = backoffDelay(this.failedAttempts++, base);
    this.retryTimer = setTimeout(() => this.socket?.connect(), delay);
  }
}
