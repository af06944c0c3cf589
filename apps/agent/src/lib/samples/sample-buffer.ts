import type { MetricSample } from '@thresh/protocol';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../files';
import { SampleValues } from '../metrics-collector';

interface Cursor {
  /** Every sample up to this sequence number has been acknowledged by the midtier. */
  ackedThrough: number;
  nextSeq: number;
  /** Samples dropped, oldest first, because the buffer was full. */
  dropped: number;
}

export interface SampleBufferOptions {
  file: string;
  cursorFile: string;
  maxSamples: number;
  /** Bytes the pending samples may take on disk. */
  maxBytes: number;
}

const lineBytes = (sample: MetricSample) => Buffer.byteLength(JSON.stringify(sample)) + 1;

// Rewrite the file once this many acknowledged or dropped lines sit at its head.
const COMPACT_AFTER = 1000;

/**
 * Samples not yet acknowledged, kept on disk so a restart or an outage loses nothing the buffer could hold:
 * an append-only file of samples plus a small cursor file.
 */
export class SampleBuffer {
  private pending: MetricSample[] = [];
  private pendingBytes = 0;
  private cursor: Cursor = { ackedThrough: -1, nextSeq: 0, dropped: 0 };
  /** Lines at the head of the file that are no longer pending (acknowledged or dropped). */
  private staleLines = 0;

  constructor(private readonly options: SampleBufferOptions) {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    if (existsSync(options.cursorFile)) {
      try {
        this.cursor = { ...this.cursor, ...(JSON.parse(readFileSync(options.cursorFile, 'utf8')) as Partial<Cursor>) };
      } catch {
        // A cursor cut short by a crash: the samples file and the hub's last sequence number (at registration) recover it.
      }
    }
    if (existsSync(options.file)) {
      for (const line of readFileSync(options.file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const sample = JSON.parse(line) as MetricSample;
          this.cursor.nextSeq = Math.max(this.cursor.nextSeq, sample.seq + 1);
          if (sample.seq > this.cursor.ackedThrough) {
            this.pending.push(sample);
            this.pendingBytes += Buffer.byteLength(line) + 1;
          }
        } catch {
          // A line cut short by a crash: the rest of the file is still good.
        }
      }
    }
    // Lines dropped before a crash may still sit in the file; they were counted then.
    this.dropOldestBeyondBounds();
    this.rewrite();
  }

  get size(): number {
    return this.pending.length;
  }

  get dropped(): number {
    return this.cursor.dropped;
  }

  append(values: SampleValues): MetricSample {
    const sample: MetricSample = { seq: this.cursor.nextSeq++, ...values };
    const line = `${JSON.stringify(sample)}\n`;
    this.pending.push(sample);
    this.pendingBytes += Buffer.byteLength(line);
    appendFileSync(this.options.file, line, { mode: 0o600 });
    const dropped = this.dropOldestBeyondBounds();
    this.cursor.dropped += dropped;
    this.staleLines += dropped;
    this.saveOrCompact();
    return sample;
  }

  /** Numbering continues above what the hub already holds, should this buffer have lost count. */
  continueAbove(lastStoredSeq: number | null): void {
    if (lastStoredSeq === null || this.cursor.nextSeq > lastStoredSeq) return;
    this.cursor.nextSeq = lastStoredSeq + 1;
    this.saveCursor();
  }

  /** The oldest unacknowledged samples, in order: at most `limit`, within `maxBytes` of JSON (never fewer than one). */
  peek(limit: number, maxBytes = Number.POSITIVE_INFINITY): MetricSample[] {
    let [count, bytes] = [0, 0];
    while (count < Math.min(limit, this.pending.length)) {
      bytes += lineBytes(this.pending[count]);
      if (count > 0 && bytes > maxBytes) break;
      count++;
    }
    return this.pending.slice(0, count);
  }

  acknowledge(throughSeq: number): void {
    let count = 0;
    while (count < this.pending.length && this.pending[count].seq <= throughSeq) this.pendingBytes -= lineBytes(this.pending[count++]);
    this.pending.splice(0, count);
    this.staleLines += count;
    this.cursor.ackedThrough = Math.max(this.cursor.ackedThrough, throughSeq);
    this.saveOrCompact();
  }

  /** Drops the oldest samples while the buffer holds too many or too many bytes; returns how many. */
  private dropOldestBeyondBounds(): number {
    let count = Math.max(0, this.pending.length - this.options.maxSamples);
    let bytes = this.pendingBytes;
    for (let index = 0; index < count; index++) bytes -= lineBytes(this.pending[index]);
    // The newest sample is always kept, whatever its size.
    while (bytes > this.options.maxBytes && count < this.pending.length - 1) bytes -= lineBytes(this.pending[count++]);
    this.pending.splice(0, count);
    this.pendingBytes = bytes;
    return count;
  }

  /** Rewriting the file costs its whole size, so it waits until enough of it is stale. */
  private saveOrCompact(): void {
    if (this.staleLines >= COMPACT_AFTER || (this.pending.length === 0 && this.staleLines > 0)) this.rewrite();
    else this.saveCursor();
  }

  private rewrite(): void {
    writeFileAtomic(this.options.file, this.pending.map((sample) => `${JSON.stringify(sample)}\n`).join(''));
    this.staleLines = 0;
    this.saveCursor();
  }

  private saveCursor(): void {
    writeFileAtomic(this.options.cursorFile, JSON.stringify(this.cursor));
  }
}
