export * from './lib/http-request';
export * from './lib/agent-rest';
export * from './lib/failure-cause';
export * from './lib/policy/client-policy';
