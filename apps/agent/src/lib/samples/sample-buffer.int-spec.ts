import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measuredSample, sampleBufferIn } from '../../test/measurements';

const values = (cpu: number) => measuredSample({ at: '2026-11-27T00:00:00.000Z', cpuPercent: cpu });

describe('SampleBuffer', () => {
  let dir: string;
  const open = (maxSamples = 100, maxBytes = 1_000_000) =>
    sampleBufferIn(dir, { maxSamples, maxBytes });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sample-buffer-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers samples and keeps the unacknowledged ones across a restart', () => {
    const buffer = open();
    expect([1, 2, 3].map((cpu) => buffer.append(values(cpu)).seq)).toEqual([0, 1, 2]);
    buffer.acknowledge(0);
    const reopened = open();
    expect(reopened.peek(10).map((sample) => [sample.seq, sample.cpuPercent])).toEqual([[1, 2], [2, 3]]);
    expect(reopened.append(values(4)).seq).toBe(3);
  });

  it('never reuses a sequence number, even with everything acknowledged', () => {
    const buffer = open();
    buffer.append(values(1));
    buffer.append(values(2));
    buffer.acknowledge(1);
    expect(open().append(values(3)).seq).toBe(2);
  });

  it('continues numbering above what the hub holds when its own count was lost', () => {
    const buffer = open();
    buffer.append(values(1));
    writeFileSync(join(dir, 'cursor.json'), '{"nextSeq": 4');
    const recovered = open();
    recovered.continueAbove(41);
    expect(recovered.append(values(2)).seq).toBe(42);
    recovered.continueAbove(3);
    expect(recovered.append(values(3)).seq).toBe(43);
  });

  it('drops the oldest samples beyond its bound, and counts them', () => {
    const buffer = open(3);
    for (let cpu = 0; cpu < 5; cpu++) buffer.append(values(cpu));
    expect(buffer.peek(10).map((sample) => sample.seq)).toEqual([2, 3, 4]);
    expect(buffer.dropped).toBe(2);
    expect(open(3).dropped).toBe(2);
    expect(open(3).peek(10).map((sample) => sample.seq)).toEqual([2, 3, 4]);
  });

  it('keeps a full buffer on disk within its bound plus one compaction, without rewriting it per sample', () => {
    const buffer = open(50);
    const lines = () => readFileSync(join(dir, 'buffer.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    for (let cpu = 0; cpu < 60; cpu++) buffer.append(values(cpu % 100));
    // Appending to a full buffer only appends: the dropped lines wait for the next compaction.
    expect(lines()).toBe(60);
    for (let cpu = 0; cpu < 3000; cpu++) buffer.append(values(cpu % 100));
    expect(lines()).toBeLessThanOrEqual(50 + 1000);
    expect(buffer.dropped).toBe(3010);
    expect(open(50).peek(100).map((sample) => sample.seq)).toEqual(Array.from({ length: 50 }, (_, index) => 3010 + index));
  });

  it('drops the oldest samples beyond its size on disk, and counts them', () => {
    const lineBytes = JSON.stringify({ seq: 10, ...values(10) }).length + 1;
    const buffer = open(1000, lineBytes * 5);
    for (let cpu = 10; cpu < 30; cpu++) buffer.append(values(cpu));
    expect(buffer.peek(100).map((sample) => sample.seq)).toEqual([15, 16, 17, 18, 19]);
    expect(buffer.dropped).toBe(15);
    buffer.acknowledge(16);
    expect(open(1000, lineBytes * 5).peek(100).map((sample) => sample.seq)).toEqual([17, 18, 19]);
  });

  it('survives a line cut short by a crash', () => {
    const buffer = open();
    buffer.append(values(1));
    appendFileSync(join(dir, 'buffer.jsonl'), '{"seq":1,"at":');
    expect(open().peek(10).map((sample) => sample.seq)).toEqual([0]);
    writeFileSync(join(dir, 'buffer.jsonl'), '');
    expect(open().append(values(2)).seq).toBe(1);
  });
});
