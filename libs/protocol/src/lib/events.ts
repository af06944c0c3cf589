import { z } from 'zod';
import { Ack } from './ack';
import { AgentCommand, CommandUpdate, commandUpdateSchema } from './commands';
import { MetricsBatch, MetricsReport } from './metrics';
import { AgentRegistration, agentRegistrationSchema } from './nodes';

/** Socket.IO namespaces of both hops. */
export const AGENT_NAMESPACE = '/agents';
export const MIDTIER_NAMESPACE = '/midtier';

export interface RegisteredNode {
  nodeId: string;
  nodeName: string;
  /** The highest sample sequence number the hub holds for this node: an agent that lost count continues above it. */
  lastSeq: number | null;
  /** Issued at the node's first registration (and after an identity reset): the agent keeps it 0600 and presents it from then on. */
  nodeCredential?: string;
  /** REST polling only: presented with every later request of the session (header x-thresh-session). */
  session?: string;
}

/** The header a REST agent names its session with. */
export const AGENT_SESSION_HEADER = 'x-thresh-session';

// ---- agent <-> midtier (namespace /agents, thresh_live_ keys) ----

export interface AgentToMidtierEvents {
  'agent:register': (registration: AgentRegistration, ack: (result: Ack<RegisteredNode>) => void) => void;
  /** Acknowledged only once the hub has stored the samples: until then the agent keeps them. */
  'metrics:report': (report: MetricsReport, ack: (result: Ack<{ accepted: number }>) => void) => void;
  /** Acknowledged once the hub has stored it; `accepted: false` means the hub already had the command's outcome. */
  'command:update': (update: CommandUpdate, ack: (result: Ack<{ accepted: boolean }>) => void) => void;
}

export interface MidtierToAgentEvents {
  /** Run this command (again, possibly: the agent recognises a command id it has seen). */
  'command:run': (command: AgentCommand) => void;
  'command:cancel': (event: { commandId: string }) => void;
}

// ---- midtier <-> hub (namespace /midtier, thresh_mid_ keys) ----

export const agentAuthRequestSchema = z.strictObject({
  key: z.string().max(200),
  /** The agent's address as the mid-tier sees it, for the hub's log only: failures are counted per mid-tier key. */
  source: z.string().max(100).optional(),
});
export type AgentAuthRequest = z.infer<typeof agentAuthRequestSchema>;

export interface AgentIdentity {
  keyId: string;
  account: string;
  accountId: string;
}

export const midtierNodeRegistrationSchema = z.strictObject({
  /** The agent's own key: the hub checks it itself rather than take the mid-tier's word. */
  key: z.string().max(200),
  connectionId: z.string().min(1).max(64),
  registration: agentRegistrationSchema,
  /** The agent's address as the mid-tier sees it, for the hub's audit and log. */
  source: z.string().max(100).optional(),
});
export type MidtierNodeRegistration = z.infer<typeof midtierNodeRegistrationSchema>;

export const nodeDisconnectedSchema = z.strictObject({
  agentId: z.uuid(),
  connectionId: z.string().min(1).max(64),
});
export type NodeDisconnected = z.infer<typeof nodeDisconnectedSchema>;

export const agentCommandUpdateSchema = z.strictObject({
  agentId: z.uuid(),
  update: commandUpdateSchema,
});
export type AgentCommandUpdate = z.infer<typeof agentCommandUpdateSchema>;

export interface MidtierToHubEvents {
  'agent:authenticate': (request: AgentAuthRequest, ack: (result: Ack<AgentIdentity>) => void) => void;
  'node:register': (request: MidtierNodeRegistration, ack: (result: Ack<RegisteredNode>) => void) => void;
  'node:disconnected': (event: NodeDisconnected) => void;
  'metrics:batch': (batch: MetricsBatch, ack: (result: Ack<{ stored: number; unknown: number; refused: number }>) => void) => void;
  'command:update': (update: AgentCommandUpdate, ack: (result: Ack<{ accepted: boolean }>) => void) => void;
}

export interface HubToMidtierEvents {
  /** A key was revoked or expired: drop its cached validation and the agents using it. */
  'key:revoked': (event: { keyId: string }) => void;
  /** For the midtier that holds this agent's connection; the others ignore it. */
  'command:dispatch': (event: { accountId: string; agentId: string; command: AgentCommand }) => void;
  'command:cancel': (event: { accountId: string; agentId: string; commandId: string }) => void;
}
