import {
  Ack,
  AGENT_NAMESPACE,
  AgentRegistration,
  AgentToMidtierEvents,
  CommandUpdate,
  MidtierToAgentEvents,
  RegisteredNode,
} from '@thresh/protocol';
import { MAX_REPORT_BYTES, MAX_SAMPLES_PER_REPORT } from '@thresh/protocol';
import { io, Socket } from 'socket.io-client';
import { AgentConfig } from './agent-config';
import { AgentState, ConnectionStatus, writeAgentState } from './agent-state';
import { SampleValues } from './metrics-collector';
import { SampleBuffer } from './sample-buffer';

type AgentSocket = Socket<MidtierToAgentEvents, AgentToMidtierEvents>;
type ConnectError = Error & { data?: { status?: number; code?: string } };

const REQUEST_TIMEOUT_MS = 15_000;
/** A report may wait behind others at the midtier and for the hub: give it longer before sending it again. */
const REPORT_TIMEOUT_MS = 60_000;
const RECONNECT_CAP_MS = 60_000;

export interface AgentRuntimeOptions {
  config: AgentConfig & { 'midtier-url': string; 'api-key': string };
  registration: AgentRegistration;
  buffer: SampleBuffer;
  collect: () => Promise<SampleValues>;
  log: (message: string) => void;
  /** Where commands from the hub go, and who hears that the node (re)registered. */
  commands?: {
    run: (command: unknown) => void;
    cancel: (commandId: string) => void;
    registered: () => void;
  };
}

/** Jittered exponential backoff: ten thousand agents must not come back in the same second. */
export function backoffDelay(attempt: number, baseMs: number, capMs = RECONNECT_CAP_MS): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(exponential * (0.5 + Math.random() * 0.5));
}

/** Keeps this node connected to its mid-tier, registered, and reporting. */
export class AgentRuntime {
  private socket?: AgentSocket;
  private collectTimer?: NodeJS.Timeout;
  private registered = false;
  private sending = false;
  private retryTimer?: NodeJS.Timeout;
  private rejectedAttempts = 0;
  private stopped = false;
  private readonly state: AgentState;

  constructor(private readonly options: AgentRuntimeOptions) {
    this.state = {
      pid: process.pid,
      agentId: options.registration.agentId,
      status: 'connecting',
      url: options.config['midtier-url'],
      transport: 'socketio',
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
    const delayMs = config['reconnect-delay'] * 1000;
    const socket: AgentSocket = io(new URL(AGENT_NAMESPACE, config['midtier-url']).toString(), {
      auth: { key: config['api-key'] },
      transports: config.transport === 'auto' ? ['polling', 'websocket'] : ['websocket'],
      reconnectionDelay: delayMs,
      reconnectionDelayMax: Math.max(delayMs, RECONNECT_CAP_MS),
      randomizationFactor: 0.5,
      rejectUnauthorized: config['tls-verify'],
    });
    socket.on('connect', () => {
      this.rejectedAttempts = 0;
      socket.io.engine.on('upgrade', () => this.update({ transport: this.transportName() }));
      void this.register();
    });
    socket.on('disconnect', (reason) => {
      this.registered = false;
      if (this.stopped) return;
      this.options.log(`disconnected (${reason}); reconnecting`);
      this.update({ status: 'connecting' });
      // socket.io does not come back by itself when the server closed the connection (a revoked key, say).
      if (reason === 'io server disconnect') this.scheduleReconnect(false);
    });
    socket.on('connect_error', (error: ConnectError) => this.onConnectError(error));
    socket.on('command:run', (command) => this.options.commands?.run(command));
    socket.on('command:cancel', (event) => this.options.commands?.cancel(event?.commandId));
    this.socket = socket;
    // Measuring goes on whether or not the midtier is reachable: the buffer keeps what cannot be sent yet.
    this.collectTimer = setInterval(() => void this.measure(), this.options.config['metrics-interval'] * 1000);
    void this.measure();
    this.publish();
    this.options.log(`connecting to ${config['midtier-url']} as ${this.state.nodeName} (agent ${this.state.agentId})`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.collectTimer);
    clearTimeout(this.retryTimer);
    this.socket?.disconnect();
  }

  private async register(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const result = await this.request<RegisteredNode>('agent:register', this.options.registration);
    if (!result.ok) {
      this.options.log(`registration refused: ${result.error.message}`);
      this.update({ status: 'connecting', lastError: result.error.message });
      // The mid-tier could not reach the hub; try the whole handshake again later.
      socket.disconnect();
      this.scheduleReconnect(false);
      return;
    }
    this.options.buffer.continueAbove(result.lastSeq);
    this.options.log(`registered as node ${result.nodeName} (${result.nodeId}) over ${this.transportName()}`);
    this.update({
      status: 'connected',
      nodeId: result.nodeId,
      nodeName: result.nodeName,
      transport: this.transportName(),
      lastError: null,
      lastReportAt: new Date().toISOString(),
    });
    this.registered = true;
    // Buffered samples first: whatever waited through the outage goes before new ones.
    void this.sendBuffered();
    this.options.commands?.registered();
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

  /** One report in flight at a time, oldest samples first; a sample leaves the buffer only once acknowledged. */
  private async sendBuffered(): Promise<void> {
    if (this.sending || !this.registered) return;
    this.sending = true;
    try {
      const nextReport = () => this.options.buffer.peek(MAX_SAMPLES_PER_REPORT, MAX_REPORT_BYTES);
      for (let batch = nextReport(); batch.length > 0 && this.registered; batch = nextReport()) {
        const result = await this.request<{ accepted: number }>('metrics:report', { agentId: this.state.agentId, samples: batch }, REPORT_TIMEOUT_MS);
        if (!result.ok) {
          this.options.log(`report of ${batch.length} sample(s) not stored yet (${result.error.message}); kept for later`);
          break;
        }
        this.options.buffer.acknowledge(batch[batch.length - 1].seq);
        this.update({ lastReportAt: new Date().toISOString(), bufferedSamples: this.options.buffer.size });
      }
    } finally {
      this.sending = false;
    }
  }

  /** True once the hub has the update (accepted, or known already); false when it must be sent again later. */
  async sendCommandUpdate(update: CommandUpdate): Promise<boolean> {
    if (!this.registered) return false;
    const result = await this.request<{ accepted: boolean }>('command:update', update, REPORT_TIMEOUT_MS);
    if (result.ok) return true;
    // An outage or a hub in trouble passes; a refusal of the update itself will not change by sending it again.
    const retry = result.error.code === 'hub_unavailable' || result.error.code === 'internal';
    if (!retry) this.options.log(`the hub refused a command update: ${result.error.message}`);
    return !retry;
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
    const code = error.data?.code;
    const rejected = code === 'unauthorized' || code === 'forbidden';
    if (error.message !== this.state.lastError) {
      this.options.log(`cannot connect: ${error.message}${rejected ? ' (check api-key)' : ''}`);
    }
    this.update({ status: rejected ? 'disconnected' : 'connecting', lastError: error.message });
    // socket.io retries transport failures itself, but not a handshake the server refused.
    if (!this.socket?.active) this.scheduleReconnect(rejected);
  }

  private scheduleReconnect(rejected: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const base = this.options.config['reconnect-delay'] * 1000 * (rejected ? 6 : 1);
    const delay = backoffDelay(this.rejectedAttempts++, base);
    this.retryTimer = setTimeout(() => this.socket?.connect(), delay);
  }

  private transportName(): string {
    const name = this.socket?.io.engine?.transport?.name;
    return name === 'websocket' ? 'socketio (websocket)' : name === 'polling' ? 'socketio (long-polling)' : 'socketio';
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

  get status(): ConnectionStatus {
    return this.state.status;
  }
}
