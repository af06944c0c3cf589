import { join } from 'node:path';
import type { SampleValues } from '../lib/metrics-collector';
import { SampleBuffer } from '../lib/samples/sample-buffer';

/** A measurement with plain values: these tests care that samples travel, not what they say. */
export function measuredSample(overrides: Partial<SampleValues> = {}): SampleValues {
  return {
    at: new Date().toISOString(),
    cpuPercent: 5,
    memoryUsedBytes: 1,
    memoryTotalBytes: 2,
    diskUsedBytes: 3,
    diskTotalBytes: 4,
    containersRunning: 0,
    environments: [],
    ...overrides,
  };
}

/** An agent's sample buffer in a folder of the test's own. */
export function sampleBufferIn(dir: string, limits: { maxSamples?: number; maxBytes?: number } = {}): SampleBuffer {
  return new SampleBuffer({ file: join(dir, 'buffer.jsonl'), cursorFile: join(dir, 'cursor.json'), maxSamples: limits.maxSamples ?? 1000, maxBytes: limits.maxBytes ?? 1_000_000 });
}
