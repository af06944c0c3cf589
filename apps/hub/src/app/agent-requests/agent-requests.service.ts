import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CredentialEvents, CredentialsService } from '@thresh/server-auth';
import { CommandsService } from '@thresh/server-commands';
import { VerifiedKeyCache } from '@thresh/server-core';
import { MetricsIngestService } from '@thresh/server-metrics';
import { Attachment, NodesService, RegisteringAgent } from '@thresh/server-nodes';
import { AgentIdentity, AgentRegistration, CommandUpdate, MetricsBatch, RegisteredNode } from '@thresh/protocol';

/** Registrations check the agent's key each time; a reconnect storm of one fleet asks the database once per key. */
const KEY_CACHE_MS = 30_000;

/** What agents ask of the hub, whether a midtier relays it or the hub's own agent gateway received it. */
@Injectable()
export class AgentRequestsService implements OnModuleDestroy {
  private readonly logger = new Logger('AgentRequests');
  private readonly keys = new VerifiedKeyCache<AgentIdentity>(KEY_CACHE_MS);
  private readonly stopListening: () => void;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly nodes: NodesService,
    private readonly ingest: MetricsIngestService,
    private readonly commands: CommandsService,
    credentialEvents: CredentialEvents,
  ) {
    this.stopListening = credentialEvents.onRevoked(({ keyId }) => this.keys.forgetKey(keyId));
  }

  onModuleDestroy(): void {
    this.stopListening();
  }

  /** `limitBy` is whom failures are counted against (an address, or a midtier key); `source` is for the log. */
  verifyKey(key: string | undefined, source: string, limitBy = source): Promise<AgentIdentity> {
    return this.keys.get(key ?? '', async () => {
      const agent = await this.credentials.verify(key, 'agent', source, limitBy);
      return { keyId: agent.keyId, account: agent.account, accountId: agent.accountId };
    });
  }

  async registerNode(agent: RegisteringAgent, registration: AgentRegistration, attachment: Attachment): Promise<RegisteredNode> {
    const registered = await this.nodes.register(agent, registration, attachment);
    // After the acknowledgement: what waited for the node follows its registration.
    const node = { id: registered.nodeId, agentId: registration.agentId, carrierKeyId: attachment.carrierKeyId };
    setImmediate(() => void this.commands.nodeAvailable(agent.accountId, node).catch((error: Error) => this.logger.warn(`could not hand down commands: ${error.message}`)));
    return registered;
  }

  async nodeDisconnected(accountId: string, agentId: string, attachment: Attachment): Promise<void> {
    await this.nodes.markDisconnected(accountId, agentId, attachment).catch((error: Error) => this.logger.warn(`could not mark node offline: ${error.message}`));
  }

  /** Only samples of nodes the carrier holds are stored. */
  storeMetrics(accountId: string, carrierKeyId: string | null, batch: MetricsBatch): Promise<{ stored: number; unknown: number; refused: number }> {
    return this.ingest.store(accountId, carrierKeyId, batch);
  }

  commandUpdate(accountId: string, agentId: string, carrierKeyId: string | null, update: CommandUpdate): Promise<{ accepted: boolean }> {
    return this.commands.applyUpdate(accountId, agentId, carrierKeyId, update);
  }
}
