import type { Ack, AgentRegistration, CommandUpdate, MetricsReport, RegisteredNode } from '@thresh/protocol';
import type { AgentLink, LinkEvents, LinkName } from '../lib/links/agent-link';

/** An agent link without a network: records what is sent, answers as told, and lets a test play the gateway's part. */
export class FakeLink implements AgentLink {
  readonly description: string;
  events?: LinkEvents;
  stopped?: string;
  readonly registrations: AgentRegistration[] = [];
  readonly reports: MetricsReport[] = [];
  readonly updates: CommandUpdate[] = [];
  /** The answers to the next reports, in order; an acknowledgement once they are used up. */
  readonly reportAnswers: Ack<{ accepted: number }>[] = [];
  updateAnswer: Ack<{ accepted: boolean }> = { ok: true, accepted: true };
  registerAnswer: Ack<RegisteredNode> = { ok: true, nodeId: 'node-1', nodeName: 'node', lastSeq: null };

  constructor(
    readonly name: LinkName,
    readonly url: string,
  ) {
    this.description = `${name} (fake)`;
  }

  start(events: LinkEvents): void {
    this.events = events;
  }

  async stop(reason: string): Promise<void> {
    this.stopped = reason;
  }

  async register(registration: AgentRegistration): Promise<Ack<RegisteredNode>> {
    this.registrations.push(registration);
    return this.registerAnswer;
  }

  async report(report: MetricsReport): Promise<Ack<{ accepted: number }>> {
    this.reports.push(report);
    return this.reportAnswers.shift() ?? { ok: true, accepted: report.samples.length };
  }

  async commandUpdate(update: CommandUpdate): Promise<Ack<{ accepted: boolean }>> {
    this.updates.push(update);
    return this.updateAnswer;
  }
}
