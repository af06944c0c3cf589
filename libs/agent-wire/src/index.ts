export * from './lib/http-request';
export * from './lib/failure-cause';
