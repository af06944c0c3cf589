export * from './lib/metrics.module';
export * from './lib/metrics.service';
