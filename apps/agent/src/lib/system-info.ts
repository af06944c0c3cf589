import { hostname } from 'node:os';
import si from 'systeminformation';

export interface NodeFacts {
  hostname: string;
  platform: string;
  arch: string;
  cpuCores: number;
  memoryTotalBytes: number;
  diskTotalBytes: number;
}

/** Facts reported at registration, read through systeminformation rather than parsed by hand. */
export async function readNodeFacts(): Promise<NodeFacts> {
  const [os, cpu, memory, disks] = await Promise.all([si.osInfo(), si.cpu(), si.mem(), si.fsSize().catch(() => [])]);
  const root = disks.find((disk) => disk.mount === '/') ?? disks[0];
  return {
    hostname: os.hostname || hostname(),
    platform: os.platform || process.platform,
    arch: os.arch || process.arch,
    cpuCores: Math.max(1, cpu.cores || 1),
    memoryTotalBytes: memory.total,
    diskTotalBytes: root?.size ?? 0,
  };
}

/** A hostname made into a valid node name. */
export function nodeNameFromHostname(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned || 'node';
}
