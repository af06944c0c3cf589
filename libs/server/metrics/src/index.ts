export { MetricsModule } from './lib/metrics.module';
export { MetricsService } from './lib/metrics.service';
export { MetricsIngestService, type IngestOptions } from './lib/ingest/metrics-ingest.service';
export { RetentionService, type RetentionOptions, type TierSweep } from './lib/retention/retention.service';
