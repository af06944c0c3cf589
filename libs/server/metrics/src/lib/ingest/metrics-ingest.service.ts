import { Inject, Injectable, Logger } from '@nestjs/common';
import { MAX_SEQ_AHEAD, MetricsBatch, NodeSampledEvent } from '@thresh/protocol';
import { AppException, ConcurrencyLimit } from '@thresh/server-core';
import { MetricsService } from '../metrics.service';
import { NodeEvents, NodesService, NodeStatusChange } from '@thresh/server-nodes';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError } from 'typeorm';
import { InsertResult, MetricSamplesRepository } from './metric-samples.repository';

export const INGEST_OPTIONS = Symbol('INGEST_OPTIONS');

export interface IngestOptions {
  /** Batches this hub stores at once, from all midtiers together: the rest wait their turn. */
  concurrency: number;
}

type StoreResult = Omit<InsertResult, 'latest'> & { cameOnline: NodeStatusChange[]; sampled: NodeSampledEvent[] };

const DEADLOCK_ATTEMPTS = 3;
/** Below the midtier's 10 s wait for an answer: a batch it gave up on is not stored behind its back. */
const MAX_QUEUE_WAIT_MS = 5000;
const sqlState = (error: unknown) => (error instanceof QueryFailedError ? (error.driverError as { code?: string } | undefined)?.code : undefined);
const isDeadlock = (error: unknown) => sqlState(error) === '40P01';
/** Class 22, data exception: a value the schema let through but PostgreSQL cannot hold (a real that underflows, a lone surrogate). */
const isDataException = (error: unknown) => sqlState(error)?.startsWith('22') === true;

@Injectable()
export class MetricsIngestService {
  private readonly storedSamples = this.metrics.counter('thresh_hub_samples_stored_total', 'Metric samples stored (repeats excluded)');
  private readonly repeatedSamples = this.metrics.counter('thresh_hub_samples_repeated_total', 'Metric samples received again and ignored');
  private readonly refusedSamples = this.metrics.counter('thresh_hub_samples_refused_total', 'Metric samples refused: numbered impossibly far past their node\'s last');
  private readonly logger = new Logger('MetricsIngest');
  private readonly deadlocks = this.metrics.counter('thresh_hub_sample_batch_deadlocks_total', 'Sample batches retried after PostgreSQL aborted them in a deadlock');
  private readonly batchSizes = this.metrics.histogram('thresh_hub_sample_batch_size', 'Samples per batch from midtiers', [1, 10, 50, 100, 250, 500, 1000, 2000]);
  // Midtiers each send several batches at once: unbounded, they would take every database connection from the API.
  private readonly storing = new ConcurrencyLimit({
    limit: this.options.concurrency,
    maxWaitMs: MAX_QUEUE_WAIT_MS,
    timedOut: () => new AppException('hub_unavailable', 'The hub is busy storing other batches; send this one again later'),
  });

  constructor(
    private readonly samples: MetricSamplesRepository,
    private readonly metrics: MetricsService,
    private readonly nodes: NodesService,
    private readonly nodeEvents: NodeEvents,
    @Inject(INGEST_OPTIONS) private readonly options: IngestOptions,
  ) {}

  /** Only samples of nodes `carrierKeyId` carries are stored (a midtier key; null: the hub's own gateway). */
  async store(accountId: string, carrierKeyId: string | null, batch: MetricsBatch): Promise<{ stored: number; unknown: number; refused: number }> {
    const result = await this.storing.run(() => this.storeRetryingDeadlocks(accountId, carrierKeyId, batch)).catch((error: unknown) => {
      // Refused as invalid, the midtier splits the batch until the report holding the value stands alone and drops it.
      if (isDataException(error)) throw new AppException('validation_failed', `PostgreSQL cannot store a value of this batch: ${(error as Error).message}`);
      throw error;
    });
    this.nodes.announce(result.cameOnline);
    this.nodeEvents.sampled(accountId, result.sampled);
    this.batchSizes.observe(batch.samples.length);
    this.storedSamples.inc(result.stored);
    this.repeatedSamples.inc(batch.samples.length - result.stored - result.unknown - result.refused);
    if (result.refused > 0) {
      this.refusedSamples.inc(result.refused);
      this.logger.warn(`refused ${result.refused} sample(s) numbered more than ${MAX_SEQ_AHEAD.toLocaleString('en-US')} past their node's last stored sequence number`);
    }
    return { stored: result.stored, unknown: result.unknown, refused: result.refused };
  }

  /**
   * The whole batch in one transaction: its nodes locked first (the nodes domain), the samples inserted and rolled up,
   * then each node's latest values moved forward.
   */
  private storeOnce(accountId: string, carrierKeyId: string | null, batch: MetricsBatch): Promise<StoreResult> {
    const agentIds = [...new Set(batch.samples.map((sample) => sample.agentId))];
    return this.samples.transaction(async (tx) => {
      const targets = await this.nodes.lockForSamples(tx, accountId, carrierKeyId, agentIds);
      const { latest, ...counts } = await this.samples.insert(tx, batch.samples, targets);
      return { ...counts, ...(await this.nodes.recordLatest(tx, latest)) };
    });
  }

  /** A node moving between midtiers can have two batches in flight at once; PostgreSQL then may pick one to abort. */
  private async storeRetryingDeadlocks(accountId: string, carrierKeyId: string | null, batch: MetricsBatch, attempt = 1): Promise<StoreResult> {
    try {
      return await this.storeOnce(accountId, carrierKeyId, batch);
    } catch (error) {
      if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
      this.deadlocks.inc();
      await sleep(Math.random() * 50 * attempt);
      return this.storeRetryingDeadlocks(accountId, carrierKeyId, batch, attempt + 1);
    }
  }
}
