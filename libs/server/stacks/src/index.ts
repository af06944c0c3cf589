export * from './lib/server-stacks.module';

