import { deliveryVerdict } from '@thresh/agent-wire';
import { MAX_REPORT_BYTES, MAX_SAMPLES_PER_REPORT } from '@thresh/protocol';
import type { AgentLink } from '../links/agent-link';
import type { SampleValues } from '../metrics-collector';
import type { StatusView } from '../status/status-view';
import type { SampleBuffer } from './sample-buffer';

export interface SamplePipelineOptions {
  agentId: string;
  intervalMs: number;
  collect: () => Promise<SampleValues>;
  buffer: Pick<SampleBuffer, 'size' | 'dropped' | 'append' | 'peek' | 'acknowledge' | 'continueAbove'>;
  /** The registered link, which carries reports; undefined while there is none. */
  link: () => Pick<AgentLink, 'report'> | undefined;
  status: StatusView;
  log: (message: string) => void;
}

/** Measures this node every interval, buffers each sample, and sends the buffer, oldest first, until acknowledged. */
export class SamplePipeline {
  private timer?: NodeJS.Timeout;
  private sending = false;

  constructor(private readonly options: SamplePipelineOptions) {}

  start(): void {
    // Measuring goes on whether or not the midtier is reachable: the buffer keeps what cannot be sent yet.
    this.timer = setInterval(() => void this.measure(), this.options.intervalMs);
    void this.measure();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A link registered: the hub holds samples up to `lastSeq`, and whatever waited through the outage goes first. */
  registered(lastSeq: number | null): void {
    this.options.buffer.continueAbove(lastSeq);
    void this.send();
  }

  async measure(): Promise<void> {
    const { buffer, status } = this.options;
    try {
      buffer.append(await this.options.collect());
      status.update({ bufferedSamples: buffer.size, droppedSamples: buffer.dropped });
    } catch (error) {
      this.options.log(`could not measure this node: ${(error as Error).message}`);
    }
    await this.send();
  }

  /**
   * One report in flight at a time, whichever link carries it, oldest samples first; a sample leaves the buffer only
   * once acknowledged (or refused as sent), so a switch of link neither loses nor repeats one.
   */
  async send(): Promise<void> {
    const { buffer, link, log, status } = this.options;
    if (this.sending || !link()) return;
    this.sending = true;
    const startedOver = link();
    try {
      const nextReport = () => buffer.peek(MAX_SAMPLES_PER_REPORT, MAX_REPORT_BYTES);
      for (let batch = nextReport(), carrier = link(); batch.length > 0 && carrier; batch = nextReport(), carrier = link()) {
        const result = await carrier.report({ agentId: this.options.agentId, samples: batch });
        const verdict = result.ok ? undefined : deliveryVerdict(result.error.code);
        if (!result.ok && verdict !== 'drop') {
          log(`report of ${batch.length} sample(s) not stored yet (${result.error.message}); kept for later`);
          break;
        }
        // Refused as sent, it would be refused again and hold back every sample behind it.
        if (!result.ok) log(`the mid-tier refused a report of ${batch.length} sample(s): ${result.error.message}; dropped`);
        buffer.acknowledge(batch[batch.length - 1].seq);
        status.update({ lastReportAt: new Date().toISOString(), bufferedSamples: buffer.size });
      }
    } finally {
      this.sending = false;
    }
    // The link changed while a report was in flight: the new one carries on now, not at the next measurement.
    if (link() && link() !== startedOver) void this.send();
  }
}
