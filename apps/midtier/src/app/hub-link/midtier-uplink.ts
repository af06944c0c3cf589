import { Injectable } from '@nestjs/common';
import { AgentUplink } from '@thresh/server-agent-gateway';
import { AgentIdentity, AgentRegistration, CommandUpdate, MetricSample, RegisteredNode } from '@thresh/protocol';
import { MetricsBatcherService } from '../agents/metrics-batcher.service';
import { HubLinkService } from './hub-link.service';

/** The midtier's uplink: its agents' requests, relayed over the hub link; metrics go in batches. */
@Injectable()
export class MidtierUplink extends AgentUplink {
  constructor(
    private readonly hub: HubLinkService,
    private readonly batcher: MetricsBatcherService,
  ) {
    super();
    hub.events.on('key:revoked', (keyId: string) => this.events.emit('key:revoked', { keyId }));
    hub.events.on('command:dispatch', (event) => this.events.emit('command:dispatch', event));
    hub.events.on('command:cancel', (event) => this.events.emit('command:cancel', event));
  }

  async verifyKey(key: string, source: string): Promise<AgentIdentity> {
    const result = await this.hub.request('agent:authenticate', { key, source });
    return { keyId: result.keyId, account: result.account, accountId: result.accountId };
  }

  async registerNode(_identity: AgentIdentity, key: string, connectionId: string, registration: AgentRegistration, source: string): Promise<RegisteredNode> {
    const result = await this.hub.request('node:register', { key, connectionId, registration, source: source.slice(0, 100) });
    const { ok: _ok, ...registered } = result;
    return registered;
  }

  nodeDisconnected(_identity: AgentIdentity, agentId: string, connectionId: string): void {
    this.hub.notify('node:disconnected', { agentId, connectionId });
  }

  storeMetrics(_identity: AgentIdentity, agentId: string, samples: MetricSample[]): Promise<void> {
    return this.batcher.submit(agentId, samples);
  }

  async commandUpdate(_identity: AgentIdentity, agentId: string, update: CommandUpdate): Promise<{ accepted: boolean }> {
    const result = await this.hub.request('command:update', { agentId, update });
    return { accepted: result.accepted };
  }
}
