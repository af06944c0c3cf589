import { Global, Module } from '@nestjs/common';
import { MetricSamplesRepository } from './ingest/metric-samples.repository';
import { MetricsIngestService } from './ingest/metrics-ingest.service';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Node metric samples (stored in batches) and the hub's own Prometheus exposition at /metrics. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, MetricSamplesRepository, MetricsIngestService],
  exports: [MetricsService, MetricsIngestService],
})
export class MetricsModule {}
