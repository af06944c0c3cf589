import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');

export interface RetentionOptions {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  sweepIntervalMs: number;
  /** When set, /metrics answers only requests bearing this token. */
  scrapeToken?: string;
}

// Small deletes keep locks short and the write-ahead log steady while ingest goes on.
const DELETE_BATCH = 10_000;

/** Drops samples and rollups older than their tier keeps, in batches along the time indexes. */
@Injectable()
export class RetentionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.logger.warn(`retention sweep failed: ${error.message}`)), this.options.sweepIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Returns how many rows each tier lost. */
  async sweep(now = new Date()): Promise<{ raw: number; minute: number; hour: number }> {
    if (this.running) return { raw: 0, minute: 0, hour: 0 };
    this.running = true;
    try {
      const before = (days: number) => new Date(now.getTime() - days * 86_400_000);
      const raw = await this.deleteInBatches(
        `DELETE FROM metric_samples WHERE ctid IN (SELECT ctid FROM metric_samples WHERE at < $1 LIMIT ${DELETE_BATCH})`,
        before(this.options.rawDays),
      );
      const rollups = `DELETE FROM metric_rollups WHERE ctid IN (SELECT ctid FROM metric_rollups WHERE resolution = $2 AND bucket < $1 LIMIT ${DELETE_BATCH})`;
      const minute = await this.deleteInBatches(rollups, before(this.options.minuteDays), '1m');
      const hour = await this.deleteInBatches(rollups, before(this.options.hourDays), '1h');
      if (raw + minute + hour > 0) this.logger.log(`dropped ${raw} raw samples, ${minute} minute and ${hour} hour rollups`);
      return { raw, minute, hour };
    } finally {
      this.running = false;
    }
  }

  private async deleteInBatches(sql: string, cutoff: Date, resolution?: string): Promise<number> {
    let total = 0;
    for (;;) {
      const [, affected] = (await this.dataSource.query(sql, resolution ? [cutoff, resolution] : [cutoff])) as [unknown, number];
      total += affected;
      if (affected < DELETE_BATCH) return total;
    }
  }
}
