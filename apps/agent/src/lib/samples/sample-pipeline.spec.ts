import type { MetricSample } from '@thresh/protocol';
import { FakeLink } from '../../test/fake-link';
import { measuredSample } from '../../test/measurements';
import type { AgentState } from '../agent-state';
import { StatusView } from '../status/status-view';
import { SamplePipeline } from './sample-pipeline';

/** The buffer's rules in memory: numbered samples, removed once acknowledged. */
class MemoryBuffer {
  private pending: MetricSample[] = [];
  private nextSeq = 0;
  dropped = 0;

  get size(): number {
    return this.pending.length;
  }

  append(values: ReturnType<typeof measuredSample>): MetricSample {
    const sample = { ...values, seq: this.nextSeq++ };
    this.pending.push(sample);
    return sample;
  }

  continueAbove(lastSeq: number | null): void {
    if (lastSeq !== null) this.nextSeq = Math.max(this.nextSeq, lastSeq + 1);
  }

  peek(limit: number): MetricSample[] {
    return this.pending.slice(0, limit);
  }

  acknowledge(throughSeq: number): void {
    this.pending = this.pending.filter((sample) => sample.seq > throughSeq);
  }
}

describe('SamplePipeline', () => {
  let link: FakeLink | undefined;
  let buffer: MemoryBuffer;
  let logs: string[];
  let status: StatusView;
  const pipeline = () =>
    new SamplePipeline({ agentId: 'agent-1', intervalMs: 60_000, collect: async () => measuredSample(), buffer, link: () => link, status, log: (message) => logs.push(message) });

  beforeEach(() => {
    link = new FakeLink('socketio', 'http://midtier');
    buffer = new MemoryBuffer();
    logs = [];
    status = new StatusView({ bufferedSamples: 0 } as AgentState, () => undefined, () => undefined);
  });

  it('sends what it measured and forgets it once acknowledged', async () => {
    await pipeline().measure();
    expect(link?.reports.map((report) => report.samples.map((sample) => sample.seq))).toEqual([[0]]);
    expect(buffer.size).toBe(0);
    expect(status.current.bufferedSamples).toBe(0);
  });

  it('keeps what waits while no link is registered, and sends it, oldest first, once one is', async () => {
    const registeredLink = link;
    link = undefined;
    const samples = pipeline();
    await samples.measure();
    await samples.measure();
    expect(buffer.size).toBe(2);

    link = registeredLink;
    samples.registered(null);
    await samples.send();
    expect(link?.reports.flatMap((report) => report.samples.map((sample) => sample.seq))).toEqual([0, 1]);
    expect(buffer.size).toBe(0);
  });

  it('keeps a report the mid-tier could not store yet, to send it again', async () => {
    link?.reportAnswers.push({ ok: false, error: { code: 'hub_unavailable', message: 'hub away' } });
    const samples = pipeline();
    await samples.measure();
    expect(buffer.size).toBe(1);
    expect(logs).toEqual(['report of 1 sample(s) not stored yet (hub away); kept for later']);
    await samples.send();
    expect(link?.reports.map((report) => report.samples[0].seq)).toEqual([0, 0]);
    expect(buffer.size).toBe(0);
  });

  it('drops a report refused as sent, so it holds back none of the samples behind it', async () => {
    link?.reportAnswers.push({ ok: false, error: { code: 'validation_failed', message: 'samples.0.cpuPercent: too big' } });
    await pipeline().measure();
    expect(buffer.size).toBe(0);
    expect(logs).toEqual(['the mid-tier refused a report of 1 sample(s): samples.0.cpuPercent: too big; dropped']);
  });

  it('keeps what a refused key held back, until the key is fixed', async () => {
    link?.reportAnswers.push({ ok: false, error: { code: 'unauthorized', message: 'key revoked' } });
    await pipeline().measure();
    expect(buffer.size).toBe(1);
  });

  it('numbers on from what the hub holds once a link registers', async () => {
    const samples = pipeline();
    samples.registered(41);
    await samples.measure();
    expect(link?.reports[0].samples[0].seq).toBe(42);
  });
});
