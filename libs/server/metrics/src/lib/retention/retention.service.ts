import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DAY_MS, DailyPartitions, RetentionRepository } from './retention.repository';

export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');

export interface RetentionOptions {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  sweepIntervalMs: number;
  /** A token /metrics answers besides user tokens (HUB_METRICS_TOKEN). */
  scrapeToken?: string;
  /** GET /metrics answers anyone (HUB_METRICS_PUBLIC). */
  scrapePublic?: boolean;
}

// Days of partitions kept ready ahead of the clock, and behind it for samples an agent buffered through an outage.
const DAYS_AHEAD = 2;
const DAYS_BEHIND = 1;

/** What one tier lost in a sweep: whole days dropped, and rows deleted one by one (outside the day partitions). */
export interface TierSweep {
  partitions: number;
  rows: number;
}

/**
 * Expires samples and rollups by tier. Raw samples and minute rollups live in daily partitions, so a day past its
 * retention is dropped whole; rows the default partition caught and the hour rollups are deleted in batches.
 */
@Injectable()
export class RetentionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Retention');
  private readonly rawDays: DailyPartitions;
  private readonly minuteDays: DailyPartitions;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly retention: RetentionRepository,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {
    this.rawDays = retention.dailyPartitions('metric_samples', 'at');
    this.minuteDays = retention.dailyPartitions('metric_rollups_1m', 'bucket');
  }

  async onModuleInit(): Promise<void> {
    await this.preparePartitions();
    this.timer = setInterval(() => void this.maintain(), this.options.sweepIntervalMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Creates the day partitions around `now` that are missing; returns how many it created. */
  async preparePartitions(now = new Date()): Promise<number> {
    const [first, last] = [new Date(now.getTime() - DAYS_BEHIND * DAY_MS), new Date(now.getTime() + DAYS_AHEAD * DAY_MS)];
    return (await this.rawDays.ensure(first, last)) + (await this.minuteDays.ensure(first, last));
  }

  /** Drops what each tier keeps no longer, as of `now`. */
  async sweep(now = new Date()): Promise<{ raw: TierSweep; minute: TierSweep; hour: TierSweep }> {
    const nothing = { partitions: 0, rows: 0 };
    if (this.running) return { raw: nothing, minute: nothing, hour: nothing };
    this.running = true;
    try {
      const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
      const raw = await this.expire(this.rawDays, 'at', before(this.options.rawDays));
      const minute = await this.expire(this.minuteDays, 'bucket', before(this.options.minuteDays));
      const hour = { partitions: 0, rows: await this.retention.deleteBefore('metric_rollups_1h', 'bucket', before(this.options.hourDays)) };
      const [days, rows] = [raw.partitions + minute.partitions, raw.rows + minute.rows + hour.rows];
      if (days + rows > 0) this.logger.log(`dropped ${days} day partitions and ${rows} rows past retention`);
      return { raw, minute, hour };
    } finally {
      this.running = false;
    }
  }

  private async maintain(): Promise<void> {
    try {
      await this.preparePartitions();
      await this.sweep();
    } catch (error) {
      this.logger.warn(`retention sweep failed: ${(error as Error).message}`);
    }
  }

  private async expire(days: DailyPartitions, column: string, cutoff: Date): Promise<TierSweep> {
    return { partitions: await days.dropBefore(cutoff), rows: await this.retention.deleteBefore(`${days.table}_default`, column, cutoff) };
  }
}
