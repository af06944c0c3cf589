export * from './lib/test-database';
export * from './lib/wait';
export * from './lib/processes';
export * from './lib/hub-api';
export * from './lib/fixtures';
export * from './lib/postgres-cluster';
export * from './lib/blocking-proxy';
export * from './lib/get-json';
