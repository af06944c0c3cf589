import { DynamicModule, Module } from '@nestjs/common';
import { MetricSamplesRepository } from './ingest/metric-samples.repository';
import { INGEST_OPTIONS, IngestOptions, MetricsIngestService } from './ingest/metrics-ingest.service';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { NodeGaugesService } from './node-gauges.service';
import { NodeMetricsController } from './node-metrics/node-metrics.controller';
import { NodeMetricsRepository } from './node-metrics/node-metrics.repository';
import { NodeMetricsService } from './node-metrics/node-metrics.service';
import { RetentionRepository } from './retention/retention.repository';
import { RETENTION_OPTIONS, RetentionOptions, RetentionService } from './retention/retention.service';

/** Node metric samples (stored in batches, rolled up, expired by tier) and the hub's Prometheus exposition at /metrics. */
@Module({})
export class MetricsModule {
  static forRoot(retention: RetentionOptions, ingest: IngestOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController, NodeMetricsController],
      providers: [
        { provide: RETENTION_OPTIONS, useValue: retention },
        { provide: INGEST_OPTIONS, useValue: ingest },
        MetricsService,
        MetricSamplesRepository,
        MetricsIngestService,
        RetentionRepository,
        RetentionService,
        NodeGaugesService,
        NodeMetricsRepository,
        NodeMetricsService,
      ],
      exports: [MetricsService, MetricsIngestService, RetentionService],
    };
  }
}
