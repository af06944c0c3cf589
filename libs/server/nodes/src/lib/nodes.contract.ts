import type { EnvironmentStatus, NodeResponse } from '@thresh/protocol';

/** A node as other domains see it: what the API shows, and where its commands go. */
export interface NodeRecord extends NodeResponse {
  accountId: string;
  /** The midtier key the node registered through, whose midtiers alone hear its commands; null: the hub itself. */
  carrierKeyId: string | null;
  metricsIntervalSeconds: number;
  /** What the node last reported running, in full. */
  environments: EnvironmentStatus[];
  /** Online and attached to a connection: a command handed down now reaches it. */
  reachable: boolean;
}

/** Who asks to register a node: the agent key's account, and where the request came from (for the audit). */
export interface RegisteringAgent {
  keyId: string;
  accountId: string;
  /** The account's slug, as node credentials carry it. */
  account: string;
  source: string;
}

/** Where a registration came in: the gateway connection, and the midtier key that carries it (null: the hub itself). */
export interface Attachment {
  connectionId: string;
  carrierKeyId: string | null;
}

/** A node a sample batch may move, locked for the batch's transaction: its samples are stored through `lastSeq`. */
export interface SampleTarget {
  nodeId: string;
  agentId: string;
  lastSeq: string | null;
}

/** A node's newest sample of a batch, which its row takes on when it is newer than what the row holds. */
export interface LatestSample {
  nodeId: string;
  seq: number;
  at: string;
  cpuPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  diskUsedBytes: number;
  diskTotalBytes: number;
  containersRunning: number;
  environments: unknown;
}

/** Per-node values for the Prometheus gauges. */
export interface NodeGauge {
  accountId: string;
  node: string;
  nodeId: string;
  up: boolean;
  connected: boolean;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  diskUsedBytes: number | null;
  containersRunning: number | null;
}

/** Which of an account's nodes a cluster holds, asked of the clusters domain; null: no such cluster. */
export type ClusterMembers = (accountId: string, cluster: string) => Promise<string[] | null>;
