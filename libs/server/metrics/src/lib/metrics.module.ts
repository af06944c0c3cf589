import { DynamicModule, Module } from '@nestjs/common';
import { MetricSamplesRepository } from './ingest/metric-samples.repository';
import { INGEST_OPTIONS, IngestOptions, MetricsIngestService } from './ingest/metrics-ingest.service';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { NodeGaugesService } from './node-gauges.service';
import { RETENTION_OPTIONS, RetentionOptions, RetentionService } from './retention/retention.service';

/** Node metric samples (stored in batches, rolled up, expired by tier) and the hub's Prometheus exposition at /metrics. */
@Module({})
export class MetricsModule {
  static forRoot(retention: RetentionOptions, ingest: IngestOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: RETENTION_OPTIONS, useValue: retention },
        { provide: INGEST_OPTIONS, useValue: ingest },
        MetricsService,
        MetricSamplesRepository,
        MetricsIngestService,
        RetentionService,
        NodeGaugesService,
      ],
      exports: [MetricsService, MetricsIngestService, RetentionService],
    };
  }
}
