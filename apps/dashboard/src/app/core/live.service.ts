import { DestroyRef, effect, inject, Injectable, signal } from '@angular/core';
import { DASHBOARD_NAMESPACE, DashboardServerEvents } from '@thresh/protocol';
import { io, Socket } from 'socket.io-client';
import { SessionService } from './session.service';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** The hub's /dashboard namespace: what changes in the fleet, as it happens, for as long as the session lasts. */
@Injectable({ providedIn: 'root' })
export class LiveService {
  private readonly session = inject(SessionService);
  private socket?: Socket<DashboardServerEvents>;
  readonly state = signal<LiveState>('connecting');
  /** Handshakes refused in a row: the wait before the next one grows with them. */
  private refusals = 0;

  constructor() {
    // A session that ends stops hearing the account's news; the next one connects with its own cookie.
    effect(() => {
      if (!this.session.loggedIn()) this.disconnect();
    });
  }

  /** Listens to one kind of event; connects on first use. Returns what stops listening. */
  on<E extends keyof DashboardServerEvents>(event: E, listener: DashboardServerEvents[E]): () => void {
    const socket = this.connect();
    // socket.io's listener typing cannot follow a generic event name.
    const untyped = socket as unknown as { on(event: string, listener: unknown): void; off(event: string, listener: unknown): void };
    untyped.on(event, listener);
    return () => untyped.off(event, listener);
  }

  /** Stops listening (on logout): the next session connects with its own cookie. */
  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    this.state.set('connecting');
  }

  private connect(): Socket<DashboardServerEvents> {
    if (this.socket) return this.socket;
    // The session cookie goes with the WebSocket's handshake, as with every request to the hub.
    const socket: Socket<DashboardServerEvents> = io(DASHBOARD_NAMESPACE, { transports: ['websocket'] });
    socket.on('connect', () => {
      this.state.set('live');
      this.refusals = 0;
    });
    socket.on('disconnect', (reason) => {
      this.state.set('reconnecting');
      // The hub dropped us (a session ended or was revoked): socket.io does not come back by itself, so ask again;
      // a refused token then sends the user to login.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      // The hub no longer takes the session: back to login, saying so.
      if (error.data?.code === 'unauthorized') {
        this.disconnect();
        this.session.expire();
        return;
      }
      this.state.set('reconnecting');
      // A handshake the hub refused (it was restarting, say) is not retried by socket.io: try again, waiting longer each time.
      if (!socket.active) {
        const delayMs = Math.min(30_000, 1000 * 2 ** this.refusals++) * (0.5 + Math.random() / 2);
        setTimeout(() => this.socket === socket && socket.connect(), delayMs);
      }
    });
    this.socket = socket;
    return socket;
  }
}

/** Listens to one kind of live event for as long as the component or service that calls it lives. */
export function onLive<E extends keyof DashboardServerEvents>(event: E, listener: DashboardServerEvents[E]): void {
  inject(DestroyRef).onDestroy(inject(LiveService).on(event, listener));
}
