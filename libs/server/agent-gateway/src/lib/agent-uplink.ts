import type { AgentCommand, AgentIdentity, AgentRegistration, CommandUpdate, MetricSample, RegisteredNode } from '@thresh/protocol';
import { EventEmitter } from 'node:events';

/** What comes down to the agents: commands to run or cancel, and keys that no longer hold. */
export interface UplinkEvents {
  'command:dispatch': [{ accountId: string; agentId: string; command: AgentCommand }];
  'command:cancel': [{ accountId: string; agentId: string; commandId: string }];
  'key:revoked': [{ keyId: string }];
}

/**
 * Where the agent gateway sends what its agents ask: the hub itself when it serves agents directly, or the hub through the
 * midtier's link. Each method rejects with an AppException the agent is told about.
 */
export abstract class AgentUplink {
  readonly events = new EventEmitter<UplinkEvents>();

  /** Checks an agent key: 401 for a missing, unknown, revoked or expired one, 403 for a key of another type. */
  abstract verifyKey(key: string, source: string): Promise<AgentIdentity>;

  /**
   * The hub decides who the node is: `key` is the agent's own key (checked again above, whatever was cached here), and
   * a claim on a node without its credential is refused. `source` is where the agent connects from, for the audit.
   */
  abstract registerNode(identity: AgentIdentity, key: string, connectionId: string, registration: AgentRegistration, source: string): Promise<RegisteredNode>;

  /** The connection that registered the node is gone (a newer one may have replaced it: the hub tells them apart). */
  abstract nodeDisconnected(identity: AgentIdentity, agentId: string, connectionId: string): void;

  /** Resolves once the samples are stored, or kept safely for the hub; rejects when the agent must keep them. */
  abstract storeMetrics(identity: AgentIdentity, agentId: string, samples: MetricSample[]): Promise<void>;

  abstract commandUpdate(identity: AgentIdentity, agentId: string, update: CommandUpdate): Promise<{ accepted: boolean }>;
}
