export * from './lib/server-clusters.module';

