export * from './lib/metrics.module';
export * from './lib/metrics.service';
export * from './lib/ingest/metrics-ingest.service';
export * from './lib/retention/retention.service';
