import type { MetricSample } from '@thresh/protocol';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SampleValues } from './metrics-collector';

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
}

// Rewrite the file once this many acknowledged lines sit at its head.
const COMPACT_AFTER = 1000;

/**
 * Samples not yet acknowledged, kept on disk so a restart or an outage loses nothing the buffer could hold:
 * an append-only file of samples plus a small cursor file.
 */
export class SampleBuffer {
  private pending: MetricSample[] = [];
  private cursor: Cursor = { ackedThrough: -1, nextSeq: 0, dropped: 0 };
  private acknowledgedLines = 0;

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
          if (sample.seq > this.cursor.ackedThrough) this.pending.push(sample);
        } catch {
          // A line cut short by a crash: the rest of the file is still good.
        }
      }
    }
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
    this.pending.push(sample);
    appendFileSync(this.options.file, `${JSON.stringify(sample)}\n`, { mode: 0o600 });
    if (this.pending.length > this.options.maxSamples) {
      const excess = this.pending.length - this.options.maxSamples;
      this.pending.splice(0, excess);
      this.cursor.dropped += excess;
      this.rewrite();
    } else {
      this.saveCursor();
    }
    return sample;
  }

  /** Numbering continues above what the hub already holds, should this buffer have lost count. */
  continueAbove(lastStoredSeq: number | null): void {
    if (lastStoredSeq === null || this.cursor.nextSeq > lastStoredSeq) return;
    this.cursor.nextSeq = lastStoredSeq + 1;
    this.saveCursor();
  }

  /** The oldest unacknowledged samples, in order. */
  peek(limit: number): MetricSample[] {
    return this.pending.slice(0, limit);
  }

  acknowledge(throughSeq: number): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((sample) => sample.seq > throughSeq);
    this.acknowledgedLines += before - this.pending.length;
    this.cursor.ackedThrough = Math.max(this.cursor.ackedThrough, throughSeq);
    if (this.acknowledgedLines >= COMPACT_AFTER || this.pending.length === 0) this.rewrite();
    else this.saveCursor();
  }

  private rewrite(): void {
    const temporary = `${this.options.file}.tmp`;
    writeFileSync(temporary, this.pending.map((sample) => `${JSON.stringify(sample)}\n`).join(''), { mode: 0o600 });
    renameSync(temporary, this.options.file);
    this.acknowledgedLines = 0;
    this.saveCursor();
  }

  private saveCursor(): void {
    const temporary = `${this.options.cursorFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.cursor), { mode: 0o600 });
    renameSync(temporary, this.options.cursorFile);
  }
}
