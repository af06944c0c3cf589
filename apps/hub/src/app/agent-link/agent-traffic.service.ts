import { Injectable, Logger } from '@nestjs/common';
import { CredentialsService } from '@thresh/server-auth';
import { CommandsService } from '@thresh/server-commands';
import { MetricsIngestService } from '@thresh/server-metrics';
import { NodesService } from '@thresh/server-nodes';
import { AgentIdentity, AgentRegistration, CommandUpdate, MetricsBatch, RegisteredNode } from '@thresh/protocol';

/** What agents ask of the hub, whether a midtier relays it or the hub's own agent gateway received it. */
@Injectable()
export class AgentTraffic {
  private readonly logger = new Logger('AgentTraffic');

  constructor(
    private readonly credentials: CredentialsService,
    private readonly nodes: NodesService,
    private readonly ingest: MetricsIngestService,
    private readonly commands: CommandsService,
  ) {}

  async verifyKey(key: string | undefined, source: string): Promise<AgentIdentity> {
    const agent = await this.credentials.verify(key, 'agent', source);
    return { keyId: agent.keyId, account: agent.account, accountId: agent.accountId };
  }

  async registerNode(accountId: string, connectionId: string, registration: AgentRegistration): Promise<RegisteredNode> {
    const registered = await this.nodes.register(accountId, registration, connectionId);
    // After the acknowledgement: what waited for the node follows its registration.
    setImmediate(() =>
      void this.commands
        .nodeAvailable(accountId, registered.nodeId, registration.agentId)
        .catch((error: Error) => this.logger.warn(`could not hand down commands: ${error.message}`)),
    );
    return registered;
  }

  async nodeDisconnected(accountId: string, agentId: string, connectionId: string): Promise<void> {
    await this.nodes.markDisconnected(accountId, agentId, connectionId).catch((error: Error) => this.logger.warn(`could not mark node offline: ${error.message}`));
  }

  storeMetrics(accountId: string, batch: MetricsBatch): Promise<{ stored: number; unknown: number }> {
    return this.ingest.store(accountId, batch);
  }

  commandUpdate(accountId: string, agentId: string, update: CommandUpdate): Promise<{ accepted: boolean }> {
    return this.commands.applyUpdate(accountId, agentId, update);
  }
}
