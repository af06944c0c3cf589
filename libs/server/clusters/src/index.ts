export * from './lib/clusters.module';
