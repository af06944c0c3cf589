import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AgentUplink } from '@thresh/server-agent-gateway';
import { CredentialEvents } from '@thresh/server-auth';
import { CommandEvents } from '@thresh/server-commands';
import { AgentIdentity, AgentRegistration, CommandUpdate, MetricSample, RegisteredNode } from '@thresh/protocol';
import { AgentRequestsService } from './agent-requests.service';

/** The uplink of the hub's own agent gateway: its agents' requests go straight to the hub's services. */
@Injectable()
export class LocalUplink extends AgentUplink implements OnModuleDestroy {
  private readonly stopListening: (() => void)[];

  constructor(
    private readonly agentRequests: AgentRequestsService,
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
    return this.agentRequests.verifyKey(key, source);
  }

  /** The key was checked by the gateway a moment ago (its cache follows revocations): not asked about again here. */
  registerNode(identity: AgentIdentity, _key: string, connectionId: string, registration: AgentRegistration, source: string): Promise<RegisteredNode> {
    return this.agentRequests.registerNode({ ...identity, source }, registration, { connectionId, carrierKeyId: null });
  }

  nodeDisconnected(identity: AgentIdentity, agentId: string, connectionId: string): void {
    void this.agentRequests.nodeDisconnected(identity.accountId, agentId, { connectionId, carrierKeyId: null });
  }

  async storeMetrics(identity: AgentIdentity, agentId: string, samples: MetricSample[]): Promise<void> {
    await this.agentRequests.storeMetrics(identity.accountId, null, { samples: samples.map((sample) => ({ ...sample, agentId })) });
  }

  commandUpdate(identity: AgentIdentity, agentId: string, update: CommandUpdate): Promise<{ accepted: boolean }> {
    return this.agentRequests.commandUpdate(identity.accountId, agentId, null, update);
  }
}
