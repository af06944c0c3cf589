export * from './lib/keys';
export * from './lib/errors';
export * from './lib/ack';
export * from './lib/nodes';
export * from './lib/auth';
export * from './lib/api-keys';
export * from './lib/events';
