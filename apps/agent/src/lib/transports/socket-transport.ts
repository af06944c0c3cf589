import {
  Ack,
  AGENT_NAMESPACE,
  AgentRegistration,
  AgentToMidtierEvents,
  CommandUpdate,
  MetricsReport,
  MidtierToAgentEvents,
  RegisteredNode,
} from '@thresh/protocol';
import { io, Socket } from 'socket.io-client';
import {
  AgentTransport,
  backoffDelay,
  isUnreachableError,
  RECONNECT_CAP_MS,
  REFUSED_KEY_BACKOFF_FACTOR,
  REPORT_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  TransportEvents,
  TransportFailureKind,
  TransportSettings,
  TransportStopReason,
} from './agent-transport';

type AgentSocket = Socket<MidtierToAgentEvents, AgentToMidtierEvents>;
/** `data` comes with a handshake the server refused; `description` is the WebSocket's own error. */
type ConnectError = Error & { data?: { status?: number; code?: string }; description?: { message?: unknown; error?: unknown } };

/** Socket.IO over WebSocket only: long-polling through a proxy is what the REST transport does, and does better. */
export class SocketTransport implements AgentTransport {
  readonly name = 'socketio';
  readonly description = 'socketio (websocket)';
  private socket?: AgentSocket;
  private events?: TransportEvents;
  private retryTimer?: NodeJS.Timeout;
  private failedAttempts = 0;
  private stopped = false;

  constructor(private readonly settings: TransportSettings) {}

  start(events: TransportEvents): void {
    const { settings } = this;
    const delayMs = settings.reconnectDelaySeconds * 1000;
    const socket: AgentSocket = io(new URL(AGENT_NAMESPACE, settings.url).toString(), {
      auth: { key: settings.apiKey },
      transports: ['websocket'],
      reconnectionDelay: delayMs,
      reconnectionDelayMax: Math.max(delayMs, RECONNECT_CAP_MS),
      randomizationFactor: 0.5,
      rejectUnauthorized: settings.tlsVerify,
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
    socket.on('connect_error', (error: ConnectError) => this.onConnectError(error));
    socket.on('command:run', (command) => events.commandRun(command));
    socket.on('command:cancel', (event) => events.commandCancel(event?.commandId));
    this.socket = socket;
  }

  async stop(_reason: TransportStopReason): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.disconnect();
  }

  async register(registration: AgentRegistration): Promise<Ack<RegisteredNode>> {
    const result = await this.request<RegisteredNode>('agent:register', registration);
    if (!result.ok && !this.stopped) {
      const refused = result.error.code === 'unauthorized' || result.error.code === 'forbidden';
      // The mid-tier could not reach the hub, say: try the whole handshake again later.
      this.socket?.disconnect();
      this.scheduleReconnect(refused);
      this.events?.error({ kind: refused ? 'refused' : 'server', message: `registration refused: ${result.error.message}` });
    }
    return result;
  }

  report(report: MetricsReport): Promise<Ack<{ accepted: number }>> {
    return this.request('metrics:report', report, REPORT_TIMEOUT_MS);
  }

  commandUpdate(update: CommandUpdate): Promise<Ack<{ accepted: boolean }>> {
    return this.request('command:update', update, REPORT_TIMEOUT_MS);
  }

  private async request<R extends object>(event: keyof AgentToMidtierEvents, payload: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Ack<R>> {
    try {
      // The event map's ack types are checked at the call sites; emitWithAck cannot follow them.
      return (await (this.socket?.timeout(timeoutMs) as Socket).emitWithAck(event, payload)) as Ack<R>;
    } catch {
      return { ok: false, error: { code: 'hub_unavailable', message: `no answer to ${event} within ${timeoutMs / 1000}s` } };
    }
  }

  private onConnectError(error: ConnectError): void {
    if (this.stopped) return;
    const code = error.data?.code;
    // A handshake answered with data came through the WebSocket: the mid-tier itself said no.
    const kind: TransportFailureKind =
      code === 'unauthorized' || code === 'forbidden' ? 'refused' : error.data ? 'server' : isUnreachableError(error.description?.error) ? 'unreachable' : 'network';
    this.events?.error({ kind, message: describeConnectError(error) });
    // socket.io retries transport failures itself, but not a handshake the server refused.
    if (!this.socket?.active) this.scheduleReconnect(kind === 'refused');
  }

  private scheduleReconnect(refused: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const base = this.settings.reconnectDelaySeconds * 1000 * (refused ? REFUSED_KEY_BACKOFF_FACTOR : 1);
    const delay = backoffDelay(this.failedAttempts++, base);
    this.retryTimer = setTimeout(() => this.socket?.connect(), delay);
  }
}

/** socket.io only says "websocket error"; what the WebSocket met (a 403 from a proxy, a refused port) says more. */
function describeConnectError(error: ConnectError): string {
  const detail = error.description?.message;
  return typeof detail === 'string' && detail && !error.message.includes(detail) ? `${error.message}: ${detail}` : error.message;
}
