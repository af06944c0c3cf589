import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { deliveryVerdict, TIMEOUT_LADDER } from '@thresh/agent-wire';
import { AppException } from '@thresh/server-core';
import { MAX_BATCH_BYTES, MAX_SAMPLES_PER_BATCH, MetricsBatch, MetricSample } from '@thresh/protocol';
import { HubLinkService } from '../hub-link/hub-link.service';
import { MetricsSpool } from './metrics-spool';
import { MIDTIER_CONFIG, MidtierConfig } from '../midtier-config';

type TaggedSamples = MetricsBatch['samples'];

interface PendingReport {
  samples: TaggedSamples;
  /** Size of the samples in JSON, so a batch stays under the hub's message limit. */
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Gathers samples from many agents into batches for the hub, sent at a size or a short delay after the first report
 * waiting, several at once, and settles each agent's report only when the hub has stored its batch or the spool has it
 * on disk: while the hub is away, reports go to the spool, which is replayed in order once it is back. An agent keeps
 * what was not acknowledged.
 */
// Batches in flight together never hold two reports of one agent out of order: an agent sends its next report only
// once the last is acknowledged, so the hub's "seq at or below the last is a repeat" rule holds.
@Injectable()
export class MetricsBatcherService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MetricsBatcher');
  private queue: PendingReport[] = [];
  private queuedSamples = 0;
  /** Set from the first report waiting to when it must leave. */
  private lingerTimer?: NodeJS.Timeout;
  /** The oldest waiting report has waited long enough: send what waits as soon as a batch may go. */
  private due = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Shutting down: new reports are refused (their agents keep them) while what waits is sent. */
  private closing = false;
  private replayTimer?: NodeJS.Timeout;
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
    this.replayTimer = setInterval(() => void this.replay(), TIMEOUT_LADDER.spoolReplayMs);
    this.replayTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.replayTimer);
    await this.flush();
  }

  get backlog(): number {
    return this.queuedSamples;
  }

  /** Resolves once the hub stored these samples, or the spool holds them; rejects when they must be sent again later. */
  submit(agentId: string, samples: MetricSample[]): Promise<void> {
    if (this.closing) return Promise.reject(new AppException('hub_unavailable', 'The midtier is shutting down; send the samples again later'));
    // The samples were parsed for this report alone: tagging them in place spares a copy of each.
    const tagged = samples as TaggedSamples;
    for (const sample of tagged) sample.agentId = agentId;
    // Behind what the spool holds, so the hub gets samples in the order they came.
    if (!this.hub.connected || !this.spool.empty || this.queuedSamples + samples.length > this.config.MIDTIER_METRICS_MAX_QUEUE) {
      return this.toSpool(tagged);
    }
    const bytes = Buffer.byteLength(JSON.stringify(tagged));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ samples: tagged, bytes, resolve, reject });
      this.queuedSamples += samples.length;
      this.lingerTimer ??= setTimeout(() => {
        this.lingerTimer = undefined;
        this.due = true;
        this.send();
      }, this.config.MIDTIER_METRICS_FLUSH_MS).unref();
      this.send();
    });
  }

  /** Sends everything waiting now, and resolves once the hub answered for all of it. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      this.due = true;
      this.send();
      await Promise.all(this.inFlight);
    }
  }

  /** Starts batches while fewer than the limit are in flight: full ones at once, the rest once due. */
  private send(): void {
    while (this.queue.length > 0 && this.inFlight.size < this.config.MIDTIER_METRICS_MAX_IN_FLIGHT) {
      if (!this.due && this.queuedSamples < this.config.MIDTIER_METRICS_BATCH_SIZE) return;
      const batch = this.takeBatch();
      const stored = this.store(batch)
        .catch((error: Error) => this.logger.error(`a batch of ${batch.length} reports was not settled: ${error.message}`))
        .finally(() => {
          this.inFlight.delete(stored);
          this.send();
        });
      this.inFlight.add(stored);
    }
    if (this.queue.length === 0) {
      this.due = false;
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
  }

  /**
   * Each report's fate in one batch: stored (no error), or what kept it out. A batch refused as sent is halved until
   * each refused report stands alone, so that one bad report holds back no one else.
   */
  private async storeEach<R extends { samples: TaggedSamples }>(reports: R[]): Promise<[R, AppException | undefined][]> {
    try {
      await this.hub.request('metrics:batch', { samples: reports.flatMap((report) => report.samples) });
      return reports.map((report) => [report, undefined]);
    } catch (error) {
      const failure = error instanceof AppException ? error : new AppException('hub_unavailable', (error as Error).message);
      if (deliveryVerdict(failure.code) !== 'drop' || reports.length === 1) return reports.map((report) => [report, failure]);
      const half = Math.ceil(reports.length / 2);
      return [...(await this.storeEach(reports.slice(0, half))), ...(await this.storeEach(reports.slice(half)))];
    }
  }

  /** A report refused as sent is refused to its agent, which drops it; one the hub could not take yet is spooled. */
  private async store(reports: PendingReport[]): Promise<void> {
    const outcomes = await this.storeEach(reports);
    const unstored = outcomes.filter(([, error]) => error && deliveryVerdict(error.code) !== 'drop');
    if (unstored.length > 0) {
      const count = unstored.reduce((total, [report]) => total + report.samples.length, 0);
      this.logger.warn(`batch of ${count} samples not stored (${unstored[0][1]?.message}); spooled for later`);
    }
    for (const [report, error] of outcomes) {
      if (!error) report.resolve();
      else if (deliveryVerdict(error.code) === 'drop') report.reject(error);
      else this.toSpool(report.samples).then(report.resolve, report.reject);
    }
  }

  /** Sends what the spool holds, oldest first, while the hub takes it; a report it refuses as sent is dropped, alone. */
  async replay(): Promise<void> {
    if (this.replaying || !this.hub.connected || this.spool.empty) return;
    this.replaying = true;
    const started = this.spool.spooledSamples;
    const next = () => this.spool.oldest(MAX_SAMPLES_PER_BATCH, MAX_BATCH_BYTES);
    try {
      for (let batch = await next(); batch && this.hub.connected; batch = await next()) {
        const failed = (await this.storeEach(batch.reports.map((samples) => ({ samples })))).filter(([, error]) => error);
        // Tried again later, all of it: the hub ignores the repeats of what it stored meanwhile.
        if (failed.some(([, error]) => error && deliveryVerdict(error.code) !== 'drop')) break;
        for (const [report, error] of failed) this.logger.warn(`the hub refused a spooled report of ${report.samples.length} samples: ${error?.message}; dropped`);
        await batch.done();
      }
      if (this.spool.empty) this.logger.log(`replayed ${started} spooled samples to the hub`);
    } catch (error) {
      this.logger.warn(`replaying the spool stopped: ${(error as Error).message}`);
    } finally {
      this.replaying = false;
    }
  }

  private toSpool(samples: TaggedSamples): Promise<void> {
    return this.spool.append(samples).catch((error: Error) => {
      throw new AppException('hub_unavailable', `The hub is away and the spool cannot take the samples (${error.message}); send them again later`);
    });
  }

  /** Whole reports up to the batch limits in samples and bytes: a report is acknowledged all or nothing. */
  private takeBatch(): PendingReport[] {
    let [count, size, bytes] = [0, 0, 0];
    const fits = (next: PendingReport) => size + next.samples.length <= this.config.MIDTIER_METRICS_BATCH_SIZE && bytes + next.bytes <= MAX_BATCH_BYTES;
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
