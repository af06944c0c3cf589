import type { MetricSample } from '@thresh/protocol';
import { existsSync } from 'node:fs';
import si from 'systeminformation';

export type SampleValues = Omit<MetricSample, 'seq'>;

const DOCKER_SOCKET = '/var/run/docker.sock';

/** Running containers, from the Docker engine where its socket exists; 0 where there is no engine. */
async function runningContainers(): Promise<number> {
  if (!existsSync(DOCKER_SOCKET)) return 0;
  try {
    return (await si.dockerContainers(false)).length;
  } catch {
    return 0;
  }
}

/** One measurement of this machine through systeminformation: CPU, memory, the root file system, containers. */
export async function collectSample(): Promise<SampleValues> {
  const [load, memory, disks, containers] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize().catch(() => []),
    runningContainers(),
  ]);
  const root = disks.find((disk) => disk.mount === '/') ?? disks[0];
  return {
    at: new Date().toISOString(),
    cpuPercent: Math.min(100, Math.max(0, Number.isFinite(load.currentLoad) ? load.currentLoad : 0)),
    // "active" leaves out caches the kernel gives back on demand, as free(1)'s "used" does.
    memoryUsedBytes: memory.active,
    memoryTotalBytes: memory.total,
    diskUsedBytes: root?.used ?? 0,
    diskTotalBytes: root?.size ?? 0,
    containersRunning: containers,
    environments: [],
  };
}
