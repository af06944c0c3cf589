import type { AgentRegistration, MetricSample } from '@thresh/protocol';
import { randomUUID } from 'node:crypto';

/** A valid agent registration; tests override what they look at. */
export function agentRegistration(overrides: Partial<AgentRegistration> = {}): AgentRegistration {
  const name = overrides.nodeName ?? `node-${randomUUID().slice(0, 8)}`;
  return {
    agentId: randomUUID(),
    nodeName: name,
    hostname: name,
    platform: 'linux',
    arch: 'x64',
    agentVersion: '0.1.0',
    cpuCores: 2,
    memoryTotalBytes: 8 * 1024 ** 3,
    diskTotalBytes: 100 * 1024 ** 3,
    metricsIntervalSeconds: 30,
    drivers: ['process'],
    ...overrides,
  };
}

/** A valid metric sample; tests override what they look at. */
export function metricSample(overrides: Partial<MetricSample> = {}): MetricSample {
  return {
    seq: 0,
    at: new Date().toISOString(),
    cpuPercent: 1,
    memoryUsedBytes: 1,
    memoryTotalBytes: 1,
    diskUsedBytes: 1,
    diskTotalBytes: 1,
    containersRunning: 0,
    environments: [],
    ...overrides,
  };
}
