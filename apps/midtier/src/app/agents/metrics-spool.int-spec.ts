import { metricSample } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsSpool } from './metrics-spool';

describe('MetricsSpool', () => {
  let directory: string;
  const agentId = randomUUID();
  const report = (first: number, count: number) => Array.from({ length: count }, (_, index) => ({ ...metricSample({ seq: first + index }), agentId }));
  const drain = async (spool: MetricsSpool, maxSamples = 1000): Promise<number[]> => {
    const seqs: number[] = [];
    for (let batch = await spool.oldest(maxSamples, 1_000_000); batch; batch = await spool.oldest(maxSamples, 1_000_000)) {
      seqs.push(...batch.reports.flat().map((sample) => sample.seq));
      await batch.done();
    }
    return seqs;
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'spool-'));
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('gives reports back oldest first, whole, within the batch limits, and forgets them once stored', async () => {
    const spool = new MetricsSpool({ directory, maxBytes: 10_000_000, segmentBytes: 2_000 });
    for (let report_ = 0; report_ < 10; report_++) await spool.append(report(report_ * 3, 3));
    expect(spool.spooledSamples).toBe(30);
    expect(readdirSync(directory).length).toBeGreaterThan(1);

    const first = await spool.oldest(7, 1_000_000);
    // Two whole reports fit under 7 samples; the third would not.
    expect(first?.reports.map((report) => report.map((sample) => sample.seq))).toEqual([[0, 1, 2], [3, 4, 5]]);
    await first?.done();
    expect(await drain(spool)).toEqual(Array.from({ length: 24 }, (_, index) => index + 6));
    expect(spool.empty).toBe(true);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('keeps what an earlier run left, and replays it before what comes next', async () => {
    const before = new MetricsSpool({ directory, maxBytes: 10_000_000 });
    await before.append(report(0, 2));
    const half = await before.oldest(1000, 1_000_000);
    expect(half?.reports.flat()).toHaveLength(2);
    await before.append(report(2, 2));

    const after = new MetricsSpool({ directory, maxBytes: 10_000_000 });
    await after.open();
    expect(after.spooledSamples).toBe(4);
    await after.append(report(4, 1));
    expect(await drain(after)).toEqual([0, 1, 2, 3, 4]);
  });

  it('drops the oldest segments when full, and counts what it dropped', async () => {
    const spool = new MetricsSpool({ directory, maxBytes: 3_000, segmentBytes: 1_000 });
    for (let report_ = 0; report_ < 40; report_++) await spool.append(report(report_, 1));
    expect(spool.bytes).toBeLessThanOrEqual(3_000);
    expect(spool.droppedSamples).toBeGreaterThan(0);
    expect(spool.droppedSamples + spool.spooledSamples).toBe(40);
    const kept = await drain(spool);
    // What is left is the newest, in order.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, index) => 40 - kept.length + index));
  });
});
