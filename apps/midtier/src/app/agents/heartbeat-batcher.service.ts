import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MAX_HEARTBEATS_PER_BATCH } from '@thresh/protocol';
import { HubLinkService } from '../hub-link/hub-link.service';
import { MIDTIER_CONFIG, MidtierConfig } from '../midtier-config';


/** Collects the latest heartbeat per agent and sends them to the hub in batches, once per flush interval. */
@Injectable()
export class HeartbeatBatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('HeartbeatBatcher');
  private pending = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private flushing = false;

  constructor(
    private readonly hub: HubLinkService,
    @Inject(MIDTIER_CONFIG) private readonly config: MidtierConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.MIDTIER_HEARTBEAT_FLUSH_MS);
    this.timer.unref();
  }

  /** Runs before the hub link closes (that waits for application shutdown), so the last heartbeats reach the hub. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(agentId: string, seenAt: string): void {
    const previous = this.pending.get(agentId);
    if (!previous || previous < seenAt) this.pending.set(agentId, seenAt);
  }

  /** A heartbeat flushed after its agent left would bring the node back online. */
  forget(agentId: string): void {
    this.pending.delete(agentId);
  }

  get backlog(): number {
    return this.pending.size;
  }

  async flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0 || !this.hub.connected) return;
    this.flushing = true;
    const items = [...this.pending].map(([agentId, seenAt]) => ({ agentId, seenAt }));
    this.pending = new Map();
    let sent = 0;
    try {
      for (; sent < items.length; sent += MAX_HEARTBEATS_PER_BATCH) {
        const result = await this.hub.request('node:heartbeats', { items: items.slice(sent, sent + MAX_HEARTBEATS_PER_BATCH) });
        if (!result.ok) throw new Error(result.error.message);
      }
    } catch (error) {
      // Keep what did not reach the hub; newer heartbeats recorded meanwhile win.
      for (const { agentId, seenAt } of items.slice(sent)) this.record(agentId, seenAt);
      this.logger.warn(`${items.length - sent} heartbeat(s) kept for the next flush: ${(error as Error).message}`);
    } finally {
      this.flushing = false;
    }
  }
}
