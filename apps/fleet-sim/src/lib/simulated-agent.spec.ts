import type { AgentRegistration, CommandUpdate, MetricsReport, RegisteredNode } from '@thresh/protocol';
import { FleetCounters } from './fleet-stats';
import { AgentLink, Exchange, LinkEvents } from './links/agent-link';
import { SIMULATED_NODE, SimulatedAgent } from './simulated-agent';

/** A link without a network: registration goes through, reports are answered as the test says. */
class FakeLink implements AgentLink {
  readonly name = 'socketio';
  readonly reports: MetricsReport[] = [];
  readonly reportAnswers: Exchange<{ accepted: number }>[] = [];
  updateAnswer: Exchange<{ accepted: boolean }> = { kind: 'acked', value: { accepted: true } };
  readonly updates: CommandUpdate[] = [];

  constructor(readonly events: LinkEvents) {}

  open(): void {
    this.events.connected();
  }

  drop(): void {
    return undefined;
  }

  async close(): Promise<void> {
    return undefined;
  }

  async register(_registration: AgentRegistration): Promise<Exchange<RegisteredNode>> {
    return { kind: 'acked', value: { nodeId: 'n', nodeName: 'sim-1', lastSeq: null } };
  }

  async report(report: MetricsReport): Promise<Exchange<{ accepted: number }>> {
    this.reports.push(report);
    return this.reportAnswers.shift() ?? { kind: 'acked', value: { accepted: report.samples.length } };
  }

  async commandUpdate(update: CommandUpdate): Promise<Exchange<{ accepted: boolean }>> {
    this.updates.push(update);
    return this.updateAnswer;
  }
}

describe('SimulatedAgent follows the client policy', () => {
  let link: FakeLink;
  let agent: SimulatedAgent;
  let counters: FleetCounters;
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Registers, then reports once per call: each report is due, as the fleet's scheduler would find it. */
  let clock = Date.now();
  const reportNow = async () => {
    clock += 3_600_000;
    agent.tick(clock);
    await settle();
  };

  beforeEach(async () => {
    counters = new FleetCounters();
    agent = new SimulatedAgent(
      { agentId: '6f1c3c52-2a7e-4c1e-9d55-8f0f3c7d2b11', nodeName: 'sim-1', startAt: 0 },
      {
        reportIntervalMs: 1000,
        samplesPerReport: 1,
        environments: 0,
        pollIntervalMs: 1000,
        pollWaitSeconds: 1,
        retryBaseMs: 100,
        retryCapMs: 1000,
        registration: { platform: 'linux', arch: 'x64', agentVersion: 'fleet-sim', ...SIMULATED_NODE, drivers: ['process'] },
      },
      counters,
      { registered: () => undefined, failed: () => undefined },
      (events) => (link = new FakeLink(events)),
    );
    agent.tick(Date.now());
    await settle();
    expect(agent.registered).toBe(true);
  });

  it('drops a report refused as sent: the next one carries only new samples', async () => {
    link.reportAnswers.push({ kind: 'refused', code: 'validation_failed', message: 'bad sample' });
    await reportNow();
    await reportNow();
    expect(link.reports.map((report) => report.samples.map((sample) => sample.seq))).toEqual([[0], [1]]);
  });

  it('sends again a report the gateway could not store yet, ahead of the new samples', async () => {
    link.reportAnswers.push({ kind: 'refused', code: 'hub_unavailable', message: 'hub away' });
    await reportNow();
    await reportNow();
    expect(link.reports.map((report) => report.samples.map((sample) => sample.seq))).toEqual([[0], [0, 1]]);
  });

  it('keeps a command outcome refused for a reason that passes, and settles one refused as sent', async () => {
    link.updateAnswer = { kind: 'refused', code: 'hub_unavailable', message: 'hub away' };
    link.events.commandRun({ id: 'c-1' });
    await settle();
    expect(counters.commands.answered).toBe(0);
    // Handed down again, it goes again; this time it is refused for good, and not sent a third time.
    link.updateAnswer = { kind: 'refused', code: 'validation_failed', message: 'bad update' };
    link.events.commandRun({ id: 'c-1' });
    await settle();
    link.events.commandRun({ id: 'c-1' });
    await settle();
    expect(link.updates.filter((update) => update.state === 'succeeded')).toHaveLength(2);
  });
});
