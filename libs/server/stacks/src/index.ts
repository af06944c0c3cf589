export * from './lib/stacks.module';
