import { z } from 'zod';
import { RUNTIME_DRIVERS } from './blueprints';
import { pageQuery } from './paging';

export const NODE_STATUSES = ['online', 'offline'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const nodeNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit');

export const NODE_IDENTITIES = ['credential', 'claimable'] as const;
export type NodeIdentity = (typeof NODE_IDENTITIES)[number];

/**
 * The first of `web`, `web-2`, `web-3`, … that is not taken: a new node whose name another node holds gets the next free
 * one. Kept within the 64 characters a name may have.
 */
export function nextFreeNodeName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let suffix = 2; ; suffix++) {
    const tail = `-${suffix}`;
    const candidate = `${wanted.slice(0, 64 - tail.length)}${tail}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A one-line string a node names itself with: shown to people, so no control characters. */
const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'no control characters');

/** What an agent tells about its node when it connects. */
export const agentRegistrationSchema = z.strictObject({
  agentId: z.uuid(),
  nodeName: nodeNameSchema,
  hostname: plainText(255),
  platform: plainText(32),
  arch: plainText(32),
  agentVersion: plainText(32),
  cpuCores: z.number().int().min(1).max(4096),
  memoryTotalBytes: z.number().int().nonnegative(),
  diskTotalBytes: z.number().int().nonnegative(),
  metricsIntervalSeconds: z.number().int().min(1).max(86_400),
  /** Runtime drivers this agent can run environments with. */
  drivers: z.array(z.enum(RUNTIME_DRIVERS)).min(1).max(RUNTIME_DRIVERS.length).default(['process']),
  /** The node credential the hub issued at this node's first registration: proof that this machine is the node. */
  nodeCredential: z.string().max(200).optional(),
  /**
   * A secret the agent made before its first registration: if the answer carrying the credential is lost, the same
   * enrollment gets a new one. An agent without it predates node credentials and is given none.
   */
  enrollment: z.string().min(32).max(100).optional(),
});
export type AgentRegistration = z.infer<typeof agentRegistrationSchema>;

export const nodeResponseSchema = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  name: z.string(),
  hostname: z.string(),
  status: z.enum(NODE_STATUSES),
  lastSeenAt: z.iso.datetime().nullable(),
  platform: z.string(),
  arch: z.string(),
  agentVersion: z.string(),
  cpuCores: z.number().int(),
  memoryTotalBytes: z.number(),
  diskTotalBytes: z.number(),
  registeredAt: z.iso.datetime(),
  /** The latest sample's values; null until the node has reported one. */
  cpuPercent: z.number().nullable(),
  memoryUsedBytes: z.number().nullable(),
  diskUsedBytes: z.number().nullable(),
  containersRunning: z.number().nullable(),
  environments: z.array(z.object({ name: z.string(), status: z.string() })),
  drivers: z.array(z.enum(RUNTIME_DRIVERS)),
  lastSampleAt: z.iso.datetime().nullable(),
  /** `credential`: only the machine holding the node credential can register as this node; `claimable`: the next one to register claims it (a node from before credentials, or after an identity reset). */
  identity: z.enum(NODE_IDENTITIES),
});
export type NodeResponse = z.infer<typeof nodeResponseSchema>;

/** Pushed on the hub's /dashboard namespace when a node comes online, goes offline or is pruned. */
export const nodeStatusEventSchema = z.object({
  nodeId: z.uuid(),
  name: z.string(),
  status: z.enum([...NODE_STATUSES, 'pruned']),
  lastSeenAt: z.iso.datetime().nullable(),
});
export type NodeStatusEvent = z.infer<typeof nodeStatusEventSchema>;

export const DASHBOARD_NAMESPACE = '/dashboard';

/** Pushed on /dashboard as a node reports on a command: a stack's services turning healthy, a deployment's steps. */
export interface CommandProgressEvent {
  commandId: string;
  kind: string;
  nodeName: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  step: { name: string; status: 'started' | 'done' | 'failed'; message?: string; at: string } | null;
}

/** A node's latest measurement, pushed on /dashboard (at most once a second per node, gathered in one message). */
export interface NodeSampledEvent {
  nodeId: string;
  at: string;
  cpuPercent: number;
  memoryUsedBytes: number;
  diskUsedBytes: number;
  containersRunning: number;
  environments: { name: string; status: string }[];
}

export interface DashboardServerEvents {
  'node:status': (event: NodeStatusEvent) => void;
  'nodes:sampled': (events: NodeSampledEvent[]) => void;
  'command:progress': (event: CommandProgressEvent) => void;
}

/** PATCH /api/nodes/:node: a name moves only this way (a registration never renames a node). */
export const nodeUpdateSchema = z.strictObject({ name: nodeNameSchema });
export type NodeUpdate = z.infer<typeof nodeUpdateSchema>;

export const NODE_SORT_KEYS = ['name', 'status', 'lastSeen', 'cpu', 'memory', 'disk'] as const;

export const nodeListQuerySchema = z.strictObject({
  status: z.enum(NODE_STATUSES).optional(),
  name: z.string().max(64).optional(),
  cluster: z.string().max(64).optional(),
  sort: z.enum(NODE_SORT_KEYS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  ...pageQuery(1000, 100),
});
export type NodeListQuery = z.infer<typeof nodeListQuerySchema>;

export const nodeListResponseSchema = z.object({
  items: z.array(nodeResponseSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type NodeListResponse = z.infer<typeof nodeListResponseSchema>;
