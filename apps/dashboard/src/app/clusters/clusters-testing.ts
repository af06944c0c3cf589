import type { ClusterDetailResponse, ClusterNode, ClusterResponse, NodeResponse } from '@thresh/protocol';

let counter = 0;
const nextId = (prefix: string) => `${prefix}-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

/** A cluster as the hub lists it. */
export function cluster(name: string, overrides: Partial<ClusterResponse> = {}): ClusterResponse {
  return { id: nextId('20000000'), name, description: '', nodeCount: 0, createdAt: new Date().toISOString(), ...overrides };
}

/** A cluster as the hub shows one, with its nodes. */
export function clusterDetail(name: string, nodes: ClusterNode[], overrides: Partial<ClusterDetailResponse> = {}): ClusterDetailResponse {
  return { ...cluster(name), nodeCount: nodes.length, nodes, ...overrides };
}

/** A node as a cluster lists it, from a node as the fleet lists it. */
export function member(node: NodeResponse): ClusterNode {
  return { id: node.id, name: node.name, status: node.status, lastSeenAt: node.lastSeenAt };
}
