import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleBuffer } from './sample-buffer';

const values = (cpu: number) => ({
  at: '2026-11-27T00:00:00.000Z',
  cpuPercent: cpu,
  memoryUsedBytes: 1,
  memoryTotalBytes: 2,
  diskUsedBytes: 3,
  diskTotalBytes: 4,
  containersRunning: 0,
  environments: [],
});

describe('SampleBuffer', () => {
  let dir: string;
  const open = (maxSamples = 100) => new SampleBuffer({ file: join(dir, 'buffer.jsonl'), cursorFile: join(dir, 'cursor.json'), maxSamples });

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
