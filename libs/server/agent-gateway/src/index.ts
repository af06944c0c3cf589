export * from './lib/agent-gateway.module';
export * from './lib/agent-gateway.options';
export * from './lib/agent-sessions.service';
export * from './lib/agent-uplink';
