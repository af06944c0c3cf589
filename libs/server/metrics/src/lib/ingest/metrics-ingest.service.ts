import { Injectable } from '@nestjs/common';
import { MetricsBatch } from '@thresh/protocol';
import { MetricsService } from '../metrics.service';
import { NodesService } from '@thresh/server-nodes';
import { MetricSamplesRepository } from './metric-samples.repository';

@Injectable()
export class MetricsIngestService {
  private readonly storedSamples = this.metrics.counter('thresh_hub_samples_stored_total', 'Metric samples stored (repeats excluded)');
  private readonly repeatedSamples = this.metrics.counter('thresh_hub_samples_repeated_total', 'Metric samples received again and ignored');
  private readonly batchSizes = this.metrics.histogram('thresh_hub_sample_batch_size', 'Samples per batch from midtiers', [1, 10, 50, 100, 250, 500, 1000, 2000]);

  constructor(
    private readonly samples: MetricSamplesRepository,
    private readonly metrics: MetricsService,
    private readonly nodes: NodesService,
  ) {}

  async store(accountId: string, batch: MetricsBatch): Promise<{ stored: number; unknown: number }> {
    const result = await this.samples.store(accountId, batch);
    this.nodes.announce(result.cameOnline);
    this.batchSizes.observe(batch.samples.length);
    this.storedSamples.inc(result.stored);
    this.repeatedSamples.inc(batch.samples.length - result.stored - result.unknown);
    return { stored: result.stored, unknown: result.unknown };
  }
}
