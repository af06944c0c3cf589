export * from './lib/server-metrics.module';

