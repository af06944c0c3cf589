import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { MAX_BATCH_BYTES, MAX_SAMPLES_PER_BATCH, MetricsBatch, MetricSample } from '@thresh/protocol';
import { HubLinkService } from '../hub-link/hub-link.service';
import { MIDTIER_CONFIG, MidtierConfig } from '../midtier-config';

interface PendingReport {
  samples: MetricsBatch['samples'];
  /** Size of the samples in JSON, so a batch stays under the hub's message limit. */
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Gathers samples from many agents into batches for the hub, flushed at a size or after a delay, and settles each
 * agent's report only when the hub has stored its batch: an agent keeps what was not acknowledged and sends it again.
 */
@Injectable()
export class MetricsBatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MetricsBatcher');
  private queue: PendingReport[] = [];
  private queuedSamples = 0;
  private timer?: NodeJS.Timeout;
  private flushing = false;

  constructor(
    private readonly hub: HubLinkService,
    @Inject(MIDTIER_CONFIG) private readonly config: MidtierConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.MIDTIER_METRICS_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    for (const report of this.queue) report.reject(new AppException('hub_unavailable', 'The midtier is shutting down'));
  }

  get backlog(): number {
    return this.queuedSamples;
  }

  /** Resolves once the hub stored these samples; rejects when they must be sent again later. */
  submit(agentId: string, samples: MetricSample[]): Promise<void> {
    if (!this.hub.connected) return Promise.reject(new AppException('hub_unavailable', 'The hub is not reachable from this mid-tier; keep the samples'));
    if (this.queuedSamples + samples.length > this.config.MIDTIER_METRICS_MAX_QUEUE) {
      return Promise.reject(new AppException('hub_unavailable', 'The mid-tier is saturated; send the samples again later'));
    }
    const tagged = samples.map((sample) => ({ ...sample, agentId }));
    const bytes = Buffer.byteLength(JSON.stringify(tagged));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ samples: tagged, bytes, resolve, reject });
      this.queuedSamples += samples.length;
      if (this.queuedSamples >= this.config.MIDTIER_METRICS_BATCH_SIZE) void this.flush();
    });
  }

  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.store(this.takeBatch());
    } finally {
      this.flushing = false;
    }
  }

  /** Sends reports as one batch. A batch the hub refuses is halved until the refused report stands alone, so it holds back no one else. */
  private async store(reports: PendingReport[]): Promise<void> {
    const samples = reports.flatMap((report) => report.samples);
    try {
      const result = await this.hub.request('metrics:batch', { samples });
      if (!result.ok) throw new AppException(result.error.code, result.error.message);
      for (const report of reports) report.resolve();
    } catch (error) {
      const failure = error instanceof AppException ? error : new AppException('hub_unavailable', (error as Error).message);
      if (failure.code === 'validation_failed' && reports.length > 1) {
        const half = Math.ceil(reports.length / 2);
        await this.store(reports.slice(0, half));
        await this.store(reports.slice(half));
        return;
      }
      this.logger.warn(`batch of ${samples.length} samples not stored, agents will resend: ${failure.message}`);
      for (const report of reports) report.reject(failure);
    }
  }

  /** Whole reports up to the batch limits in samples and bytes: a report is acknowledged all or nothing. */
  private takeBatch(): PendingReport[] {
    let [count, size, bytes] = [0, 0, 0];
    const fits = (next: PendingReport) => size + next.samples.length <= MAX_SAMPLES_PER_BATCH && bytes + next.bytes <= MAX_BATCH_BYTES;
    while (count < this.queue.length && (count === 0 || fits(this.queue[count]))) {
      size += this.queue[count].samples.length;
      bytes += this.queue[count].bytes;
      count++;
    }
    const batch = this.queue.splice(0, count);
    this.queuedSamples -= size;
    return batch;
  }
}
