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
      // Only nodes on the hub itself: one a midtier carries hears of its commands from that midtier alone.
      commandEvents.onDispatch(({ carrierKeyId, ...event }) => {
        if (carrierKeyId === null) this.events.emit('command:dispatch', event);
      }),
      commandEvents.onCancel(({ carrierKeyId, ...event }) => {
        if (carrierKeyId === null) this.events.emit('command:cancel', event);
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.stopListening) stop();
  }

  verifyKey(key: string, source: string): Promise<AgentIdentity> {
    return this.traffic.verifyKey(key, source);
  }

  /** The key was checked by the gateway a moment ago (its cache follows revocations): not asked about again here. */
  registerNode(identity: AgentIdentity, _key: string, connectionId: string, registration: AgentRegistration, source: string): Promise<RegisteredNode> {
    return this.traffic.registerNode({ ...identity, source }, registration, { connectionId, carrierKeyId: null });
  }

  nodeDisconnected(identity: AgentIdentity, agentId: string, connectionId: string): void {
    void this.traffic.nodeDisconnected(identity.accountId, agentId, { connectionId, carrierKeyId: null });
  }

  async storeMetrics(identity: AgentIdentity, agentId: string, samples: MetricSample[]): Promise<void> {
    await this.traffic.storeMetrics(identity.accountId, null, { samples: samples.map((sample) => ({ ...sample, agentId })) });
  }

  commandUpdate(identity: AgentIdentity, agentId: string, update: CommandUpdate): Promise<{ accepted: boolean }> {
    return this.traffic.commandUpdate(identity.accountId, agentId, null, update);
  }
}
