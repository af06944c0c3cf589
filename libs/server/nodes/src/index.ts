export * from './lib/server-nodes.module';

