import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { TIMEOUT_LADDER } from '@thresh/agent-wire';
import { AppException } from '@thresh/server-core';
import { Ack, HubToMidtierEvents, MIDTIER_NAMESPACE, MidtierToHubEvents } from '@thresh/protocol';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { io, Socket } from 'socket.io-client';
import { MIDTIER_CONFIG, MidtierConfig } from '../midtier-config';

type HubSocket = Socket<HubToMidtierEvents, MidtierToHubEvents>;
type AckedEvent = {
  [E in keyof MidtierToHubEvents]: Parameters<MidtierToHubEvents[E]> extends [unknown, (result: Ack<infer _R>) => void] ? E : never;
}[keyof MidtierToHubEvents];
type AckResult<E extends AckedEvent> = Parameters<Parameters<MidtierToHubEvents[E]>[1]>[0];

const REQUEST_TIMEOUT_MS = TIMEOUT_LADDER.hubRequestMs;

/** The midtier's one connection to the hub: reconnects by itself with jittered backoff. */
@Injectable()
export class HubLinkService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('HubLink');
  private socket?: HubSocket;
  private lastError?: string;
  private retryTimer?: NodeJS.Timeout;
  private failoverTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The hub replicas to try, in order: HUB_URL first, then HUB_FALLBACK_URLS. */
  private readonly hubUrls: string[];
  private current = 0;
  /** Since when the hub in use has not answered; undefined while connected. */
  private failingSince?: number;
  readonly events = new EventEmitter();

  constructor(@Inject(MIDTIER_CONFIG) private readonly config: MidtierConfig) {
    this.hubUrls = [config.HUB_URL, ...config.HUB_FALLBACK_URLS];
  }

  onModuleInit(): void {
    this.connect();
    this.failoverTimer = setInterval(() => this.failOverIfDue(), 1000);
    this.failoverTimer.unref();
  }

  /** The hub in use now. */
  get hubUrl(): string {
    return this.hubUrls[this.current];
  }

  private connect(): void {
    const url = this.hubUrl;
    const socket: HubSocket = io(new URL(MIDTIER_NAMESPACE, url).toString(), {
      auth: { key: this.config.MIDTIER_KEY },
      transports: ['websocket'],
      reconnectionDelay: 1000,
      reconnectionDelayMax: this.config.MIDTIER_HUB_RECONNECT_MAX_MS,
      randomizationFactor: 0.5,
      rejectUnauthorized: this.config.MIDTIER_HUB_TLS_VERIFY,
      ...(this.config.MIDTIER_HUB_TLS_CA ? { ca: readFileSync(this.config.MIDTIER_HUB_TLS_CA, 'utf8') } : {}),
    });
    this.failingSince = Date.now();
    socket.on('connect', () => {
      this.lastError = undefined;
      this.failingSince = undefined;
      this.logger.log(`connected to the hub at ${url}`);
      this.events.emit('connected');
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      this.failingSince ??= Date.now();
      this.logger.warn(`lost the hub at ${url} (${reason}); reconnecting`);
    });
    socket.on('connect_error', (error: Error & { data?: { status?: number } }) => {
      if (error.message !== this.lastError) this.logger.warn(`cannot connect to the hub at ${url}: ${error.message}`);
      this.lastError = error.message;
      // A rejected handshake is not retried by socket.io itself; a revoked key may be replaced, so keep trying slowly.
      if (!socket.active && !this.stopped) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => socket.connect(), 15_000 + Math.random() * 15_000);
      }
    });
    socket.on('key:revoked', (event) => this.events.emit('key:revoked', event.keyId));
    socket.on('command:dispatch', (event) => this.events.emit('command:dispatch', event));
    socket.on('command:cancel', (event) => this.events.emit('command:cancel', event));
    this.socket = socket;
  }

  /** Replicas share one database, so any of them will do: one silent past the failover time gives way to the next. */
  private failOverIfDue(): void {
    if (this.stopped || this.hubUrls.length < 2 || this.failingSince === undefined) return;
    if (Date.now() - this.failingSince < this.config.MIDTIER_HUB_FAILOVER_SECONDS * 1000) return;
    const from = this.hubUrl;
    this.current = (this.current + 1) % this.hubUrls.length;
    this.logger.warn(`the hub at ${from} has not answered for ${this.config.MIDTIER_HUB_FAILOVER_SECONDS}s: moving to ${this.hubUrl}`);
    clearTimeout(this.retryTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.connect();
  }

  /** Last to close, so the final metrics flush and disconnect notices still reach the hub. */
  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.failoverTimer);
    this.socket?.disconnect();
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  get status(): { connected: boolean; url: string; lastError: string | null } {
    return { connected: this.connected, url: this.hubUrl, lastError: this.lastError ?? null };
  }

  /** The hub's answer to a request; throws its refusal as an AppException, or hub_unavailable when it cannot answer. */
  async request<E extends AckedEvent>(event: E, payload: Parameters<MidtierToHubEvents[E]>[0]): Promise<Extract<AckResult<E>, { ok: true }>> {
    if (!this.socket?.connected) throw new AppException('hub_unavailable', 'The hub is not reachable from this mid-tier');
    let answer: Ack;
    try {
      // socket.io's typed emitWithAck cannot follow the mapped event type.
      answer = (await (this.socket.timeout(REQUEST_TIMEOUT_MS) as Socket).emitWithAck(event, payload)) as Ack;
    } catch {
      throw new AppException('hub_unavailable', `The hub did not answer "${event}" within ${REQUEST_TIMEOUT_MS / 1000}s`);
    }
    if (!answer.ok) throw new AppException(answer.error.code, answer.error.message);
    return answer as Extract<AckResult<E>, { ok: true }>;
  }

  notify(event: 'node:disconnected', payload: Parameters<MidtierToHubEvents['node:disconnected']>[0]): void {
    this.socket?.emit(event, payload);
  }
}
