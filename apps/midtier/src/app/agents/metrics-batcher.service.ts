import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { MAX_BATCH_BYTES, MAX_SAMPLES_PER_BATCH, MetricsBatch, MetricSample } from '@thresh/protocol';
import { HubLinkService } from '../hub-link/hub-link.service';
import { MetricsSpool } from './metrics-spool';
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
 * agent's report only when the hub has stored its batch or the spool has it on disk: while the hub is away, reports
 * go to the spool, which is replayed in order once it is back. An agent keeps what was not acknowledged.
 */
@Injectable()
export class MetricsBatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MetricsBatcher');
  private queue: PendingReport[] = [];
  private queuedSamples = 0;
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private replaying = false;
  readonly spool: MetricsSpool;

  constructor(
    private readonly hub: HubLinkService,
    @Inject(MIDTIER_CONFIG) private readonly config: MidtierConfig,
  ) {
    this.spool = new MetricsSpool({ directory: config.MIDTIER_SPOOL_DIR, maxBytes: config.MIDTIER_SPOOL_MAX_MB * 1024 * 1024 });
  }

  async onModuleInit(): Promise<void> {
    await this.spool.open();
    if (!this.spool.empty) this.logger.log(`${this.spool.spooledSamples} samples spooled by an earlier run wait for the hub`);
    this.hub.events.on('connected', () => void this.replay());
    this.timer = setInterval(() => {
      void this.flush();
      void this.replay();
    }, this.config.MIDTIER_METRICS_FLUSH_MS);
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

  /** Resolves once the hub stored these samples, or the spool holds them; rejects when they must be sent again later. */
  submit(agentId: string, samples: MetricSample[]): Promise<void> {
    const tagged = samples.map((sample) => ({ ...sample, agentId }));
    // Behind what the spool holds, so the hub gets samples in the order they came.
    if (!this.hub.connected || !this.spool.empty || this.queuedSamples + samples.length > this.config.MIDTIER_METRICS_MAX_QUEUE) {
      return this.toSpool(tagged);
    }
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
      if (failure.code === 'validation_failed') {
        for (const report of reports) report.reject(failure);
        return;
      }
      this.logger.warn(`batch of ${samples.length} samples not stored (${failure.message}); spooled for later`);
      for (const report of reports) this.toSpool(report.samples).then(report.resolve, report.reject);
    }
  }

  /** Sends what the spool holds, oldest first, while the hub takes it; what it refuses as invalid is dropped. */
  async replay(): Promise<void> {
    if (this.replaying || !this.hub.connected || this.spool.empty) return;
    this.replaying = true;
    const started = this.spool.spooledSamples;
    try {
      for (let batch = await this.spool.oldest(MAX_SAMPLES_PER_BATCH, MAX_BATCH_BYTES); batch && this.hub.connected; batch = await this.spool.oldest(MAX_SAMPLES_PER_BATCH, MAX_BATCH_BYTES)) {
        const result = await this.hub.request('metrics:batch', { samples: batch.samples }).catch((error: AppException) => ({ ok: false as const, error }));
        if (!result.ok && result.error.code !== 'validation_failed') break;
        if (!result.ok) this.logger.warn(`the hub refused ${batch.samples.length} spooled samples: ${result.error.message}; dropped`);
        await batch.done();
      }
      if (this.spool.empty) this.logger.log(`replayed ${started} spooled samples to the hub`);
    } catch (error) {
      this.logger.warn(`replaying the spool stopped: ${(error as Error).message}`);
    } finally {
      this.replaying = false;
    }
  }

  private toSpool(samples: MetricsBatch['samples']): Promise<void> {
    return this.spool.append(samples).catch((error: Error) => {
      throw new AppException('hub_unavailable', `The hub is away and the spool cannot take the samples (${error.message}); send them again later`);
    });
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
