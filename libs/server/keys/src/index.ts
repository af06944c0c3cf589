export * from './lib/server-keys.module';

