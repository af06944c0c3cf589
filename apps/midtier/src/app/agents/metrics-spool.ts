import type { MetricsBatch } from '@thresh/protocol';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type TaggedSample = MetricsBatch['samples'][number];

export interface SpoolOptions {
  directory: string;
  /** Beyond this many bytes on disk the oldest segments are dropped, and their samples counted as lost. */
  maxBytes: number;
  /** A segment is closed and a new one begun past this size: replay and dropping work a segment at a time. */
  segmentBytes?: number;
}

const SEGMENT = /^(\d{16})\.jsonl$/;

/**
 * Metric samples kept on disk while the hub is away, in the order they came: append-only segments of one line per
 * report, `<sample count>\t<json>`, replayed oldest first and removed once the hub stored them. Bounded: when full,
 * the oldest segment goes, and its samples are counted.
 */
export class MetricsSpool {
  private segments: { name: string; bytes: number; samples: number }[] = [];
  private writing: Promise<unknown> = Promise.resolve();
  private nextSegment = 0;
  private ready?: Promise<void>;
  /** Samples on disk, waiting for the hub. */
  spooledSamples = 0;
  /** Samples dropped because the spool was full. */
  droppedSamples = 0;

  constructor(private readonly options: SpoolOptions) {}

  get empty(): boolean {
    return this.spooledSamples === 0;
  }

  get bytes(): number {
    return this.segments.reduce((total, segment) => total + segment.bytes, 0);
  }

  /** Takes up what an earlier midtier left: it replays first. */
  open(): Promise<void> {
    this.ready ??= this.load();
    return this.ready;
  }

  /** Resolves once the samples are on disk. */
  append(samples: TaggedSample[]): Promise<void> {
    return this.serially(() => this.write(samples));
  }

  /**
   * The oldest reports, whole and each on its own, up to these limits; `done` removes them once the hub has them. Null when nothing waits.
   * Reports are read a segment at a time, and a segment goes once all of it is stored.
   */
  async oldest(maxSamples: number, maxBytes: number): Promise<{ reports: TaggedSample[][]; done: () => Promise<void> } | null> {
    await this.open();
    await this.writing;
    const segment = this.segments[0];
    if (!segment) return null;
    // The segment being written is closed first, so nothing is appended to what is being replayed.
    if (this.segments.length === 1) this.nextSegment += 1;
    const lines = (await readFile(join(this.options.directory, segment.name), 'utf8')).split('\n').filter(Boolean);
    const reports: TaggedSample[][] = [];
    let [bytes, count] = [0, 0];
    for (const line of lines) {
      const json = line.slice(line.indexOf('\t') + 1);
      const report = JSON.parse(json) as TaggedSample[];
      if (reports.length > 0 && (count + report.length > maxSamples || bytes + json.length > maxBytes)) break;
      reports.push(report);
      bytes += json.length;
      count += report.length;
    }
    return {
      reports,
      done: () => this.serially(() => this.remove(segment, lines.slice(reports.length), count)),
    };
  }

  /** Removes what the hub stored from the front of its segment; a segment the spool dropped meanwhile is gone already. */
  private async remove(segment: { name: string; bytes: number; samples: number }, rest: string[], stored: number): Promise<void> {
    if (this.segments[0] !== segment) return;
    if (rest.length === 0) {
      await rm(join(this.options.directory, segment.name), { force: true });
      this.segments.shift();
    } else {
      // A restart replays only what remains (repeats would be ignored by the hub anyway).
      const text = `${rest.join('\n')}\n`;
      const path = join(this.options.directory, segment.name);
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
      segment.bytes = Buffer.byteLength(text);
      segment.samples -= stored;
    }
    this.spooledSamples -= stored;
  }

  /** Appends and removals one at a time, in order. */
  private serially(change: () => Promise<void>): Promise<void> {
    const run = this.writing.then(change);
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async write(samples: TaggedSample[]): Promise<void> {
    await this.open();
    const line = `${samples.length}\t${JSON.stringify(samples)}\n`;
    const bytes = Buffer.byteLength(line);
    let segment = this.segments.at(-1);
    const segmentBytes = this.options.segmentBytes ?? 4 * 1024 * 1024;
    if (!segment || segment.name !== this.segmentName(this.nextSegment) || segment.bytes + bytes > segmentBytes) {
      if (segment && segment.name === this.segmentName(this.nextSegment)) this.nextSegment += 1;
      segment = { name: this.segmentName(this.nextSegment), bytes: 0, samples: 0 };
      this.segments.push(segment);
    }
    await appendFile(join(this.options.directory, segment.name), line);
    segment.bytes += bytes;
    segment.samples += samples.length;
    this.spooledSamples += samples.length;
    while (this.bytes > this.options.maxBytes && this.segments.length > 1) {
      const oldest = this.segments.shift() as { name: string; samples: number };
      await rm(join(this.options.directory, oldest.name), { force: true });
      this.spooledSamples -= oldest.samples;
      this.droppedSamples += oldest.samples;
    }
  }

  private async load(): Promise<void> {
    await mkdir(this.options.directory, { recursive: true });
    const names = (await readdir(this.options.directory)).filter((name) => SEGMENT.test(name)).sort();
    for (const name of names) {
      const path = join(this.options.directory, name);
      const text = await readFile(path, 'utf8');
      const samples = text
        .split('\n')
        .filter(Boolean)
        .reduce((total, line) => total + (Number.parseInt(line, 10) || 0), 0);
      this.segments.push({ name, bytes: (await stat(path)).size, samples });
      this.spooledSamples += samples;
    }
    const last = names.at(-1);
    // New reports go after what was left, in a segment of their own.
    this.nextSegment = last ? Number(SEGMENT.exec(last)?.[1]) + 1 : 0;
  }

  private segmentName(index: number): string {
    return `${String(index).padStart(16, '0')}.jsonl`;
  }
}
