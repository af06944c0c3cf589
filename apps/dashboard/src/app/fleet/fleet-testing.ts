import { signal } from '@angular/core';
import type { DashboardServerEvents, NodeResponse } from '@thresh/protocol';
import { LiveState } from '../core/live.service';

/** Stands in for the hub's /dashboard socket: the test pushes what the hub would. */
export class FakeLive {
  readonly state = signal<LiveState>('live');
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();

  on<E extends keyof DashboardServerEvents>(event: E, listener: DashboardServerEvents[E]): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (...args: unknown[]) => void]);
    return () => this.listeners.set(event, (this.listeners.get(event) ?? []).filter((candidate) => candidate !== listener));
  }

  push<E extends keyof DashboardServerEvents>(event: E, ...args: Parameters<DashboardServerEvents[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

let counter = 0;

/** A node as the hub lists it; online ones have measurements. */
export function fleetNode(name: string, status: 'online' | 'offline' = 'online', overrides: Partial<NodeResponse> = {}): NodeResponse {
  counter += 1;
  const suffix = String(counter).padStart(12, '0');
  return {
    id: `00000000-0000-4000-8000-${suffix}`,
    agentId: `10000000-0000-4000-8000-${suffix}`,
    name,
    hostname: `${name}.example`,
    status,
    lastSeenAt: new Date(Date.now() - 5000).toISOString(),
    platform: 'linux',
    arch: 'x64',
    agentVersion: '0.1.0',
    cpuCores: 8,
    memoryTotalBytes: 16 * 1024 ** 3,
    diskTotalBytes: 512 * 1024 ** 3,
    registeredAt: new Date().toISOString(),
    cpuPercent: status === 'online' ? 12.4 : null,
    memoryUsedBytes: status === 'online' ? 4 * 1024 ** 3 : null,
    diskUsedBytes: status === 'online' ? 100 * 1024 ** 3 : null,
    containersRunning: status === 'online' ? 3 : null,
    environments: [],
    drivers: ['process'],
    lastSampleAt: null,
    identity: 'credential',
    ...overrides,
  };
}
