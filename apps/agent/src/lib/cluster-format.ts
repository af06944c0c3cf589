import type { ClusterDetailResponse } from '@thresh/protocol';

/** The path of a cluster (and optionally one of its nodes) in the hub's REST API. */
export function clusterPath(cluster: string, node?: string): string {
  const base = `/api/clusters/${encodeURIComponent(cluster)}`;
  return node === undefined ? base : `${base}/nodes/${encodeURIComponent(node)}`;
}

/** "3 nodes (2 online, 1 offline)". */
export function memberSummary(cluster: Pick<ClusterDetailResponse, 'nodes'>): string {
  const online = cluster.nodes.filter((node) => node.status === 'online').length;
  const count = `${cluster.nodes.length} node${cluster.nodes.length === 1 ? '' : 's'}`;
  return cluster.nodes.length === 0 ? count : `${count} (${online} online, ${cluster.nodes.length - online} offline)`;
}

/** Long descriptions cut to fit a table column. */
export function truncate(text: string, width = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > width ? `${oneLine.slice(0, width - 1)}…` : oneLine;
}
