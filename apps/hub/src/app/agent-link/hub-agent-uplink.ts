import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AgentUplink } from '@thresh/server-agent-gateway';
import { CredentialEvents } from '@thresh/server-auth';
import { CommandEvents } from '@thresh/server-commands';
import { AgentIdentity, AgentRegistration, CommandUpdate, MetricSample, RegisteredNode } from '@thresh/protocol';
import { AgentTraffic } from './agent-traffic.service';

/** Agents connected to the hub itself: their traffic goes straight to the hub's services. */
@Injectable()
export class HubAgentUplink extends AgentUplink implements OnModuleDestroy {
  private readonly stopListening: (() => void)[];

  constructor(
    private readonly traffic: AgentTraffic,
    credentialEvents: CredentialEvents,
    commandEvents: CommandEvents,
  ) {
    super();
    this.stopListening = [
      credentialEvents.onRevoked(({ keyId }) => this.events.emit('key:revoked', { keyId })),
      commandEvents.onDispatch((event) => this.events.emit('command:dispatch', event)),
      commandEvents.onCancel((event) => this.events.emit('command:cancel', event)),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.stopListening) stop();
  }

  verifyKey(key: string, source: string): Promise<AgentIdentity> {
    return this.traffic.verifyKey(key, source);
  }

  registerNode(identity: AgentIdentity, connectionId: string, registration: AgentRegistration): Promise<RegisteredNode> {
    return this.traffic.registerNode(identity.accountId, connectionId, registration);
  }

  nodeDisconnected(identity: AgentIdentity, agentId: string, connectionId: string): void {
    void this.traffic.nodeDisconnected(identity.accountId, agentId, connectionId);
  }

  async storeMetrics(identity: AgentIdentity, agentId: string, samples: MetricSample[]): Promise<void> {
    await this.traffic.storeMetrics(identity.accountId, { samples: samples.map((sample) => ({ ...sample, agentId })) });
  }

  commandUpdate(identity: AgentIdentity, agentId: string, update: CommandUpdate): Promise<{ accepted: boolean }> {
    return this.traffic.commandUpdate(identity.accountId, agentId, update);
  }
}
