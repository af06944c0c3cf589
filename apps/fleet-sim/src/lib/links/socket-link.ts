import { AGENT_NAMESPACE, AgentRegistration, AgentToMidtierEvents, CommandUpdate, MetricsReport, MidtierToAgentEvents, RegisteredNode } from '@thresh/protocol';
import { io, Socket } from 'socket.io-client';
import { AgentLink, Exchange, exchangeOfAck, LinkEvents, LinkSettings } from './agent-link';
import { describeFailure } from '../failure';

type AgentSocket = Socket<MidtierToAgentEvents, AgentToMidtierEvents>;

/** One agent's Socket.IO connection over WebSocket, as the real agent holds it; the simulator decides when to reconnect. */
export class SocketLink implements AgentLink {
  readonly name = 'socketio';
  private readonly socket: AgentSocket;
  private readonly host: string;
  private closed = false;

  constructor(
    private readonly settings: LinkSettings,
    events: LinkEvents,
  ) {
    this.host = new URL(settings.url).host;
    this.socket = io(new URL(AGENT_NAMESPACE, settings.url).toString(), {
      auth: { key: settings.apiKey },
      transports: ['websocket'],
      // Without it every agent would share the first one's connection: io() multiplexes sockets per URL.
      forceNew: true,
      // Retries go through the simulator's shared scheduler, not a timer per socket.
      reconnection: false,
      autoConnect: false,
      timeout: settings.requestTimeoutMs,
      rejectUnauthorized: settings.tlsVerify,
    });
    this.socket.on('connect', () => events.connected());
    this.socket.on('connect_error', (error) => {
      if (!this.closed) events.connectFailed(describeFailure(error, this.host));
    });
    this.socket.on('disconnect', (reason) => {
      // Our own disconnect (drop or close) is not news to the agent.
      if (!this.closed && reason !== 'io client disconnect') events.disconnected(reason);
    });
    this.socket.on('command:run', (command) => events.commandRun(command));
    this.socket.on('command:cancel', (event) => events.commandCancel((event as { commandId?: unknown } | undefined)?.commandId));
  }

  open(): void {
    if (!this.closed) this.socket.connect();
  }

  drop(): void {
    this.socket.disconnect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket.disconnect();
  }

  register(registration: AgentRegistration): Promise<Exchange<RegisteredNode>> {
    return this.request(() => this.socket.timeout(this.settings.requestTimeoutMs).emitWithAck('agent:register', registration));
  }

  report(report: MetricsReport): Promise<Exchange<{ accepted: number }>> {
    return this.request(() => this.socket.timeout(this.settings.reportTimeoutMs).emitWithAck('metrics:report', report));
  }

  commandUpdate(update: CommandUpdate): Promise<Exchange<{ accepted: boolean }>> {
    return this.request(() => this.socket.timeout(this.settings.reportTimeoutMs).emitWithAck('command:update', update));
  }

  /** A timeout or a disconnect while waiting rejects (socket.io-client clears pending acks on disconnect). */
  private async request<T extends object>(send: () => Promise<unknown>): Promise<Exchange<T>> {
    // socket.io-client would buffer the message until a reconnect; a simulated agent sends only while connected.
    if (!this.socket.connected) return { kind: 'lost', failure: { kind: 'network', message: 'not connected: not sent' } };
    try {
      return exchangeOfAck<T>(await send());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failure = /timed out/i.test(message)
        ? { kind: 'network' as const, message: 'no acknowledgement within the timeout' }
        : describeFailure(error, this.host);
      return { kind: 'lost', failure };
    }
  }
}
