import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type {
  AddClusterNodeRequest,
  ClusterDetailResponse,
  ClusterNode,
  ClusterResponse,
  NodeListResponse,
  UpdateClusterRequest,
} from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';

/** As many nodes as the hub lists in one page: the account's nodes offered to a cluster. */
export const NODE_PAGE = 1000;

/** What a new cluster is made of: the hub fills in an empty description when none is given. */
export interface NewCluster {
  name: string;
  description?: string;
}

/** The hub's cluster endpoints, each answering once. */
@Injectable({ providedIn: 'root' })
export class ClustersApi {
  private readonly http = inject(HttpClient);

  list(): Promise<ClusterResponse[]> {
    return firstValueFrom(this.http.get<ClusterResponse[]>('/api/clusters'));
  }

  get(name: string): Promise<ClusterDetailResponse> {
    return firstValueFrom(this.http.get<ClusterDetailResponse>(clusterUrl(name)));
  }

  create(cluster: NewCluster): Promise<ClusterResponse> {
    return firstValueFrom(this.http.post<ClusterResponse>('/api/clusters', cluster));
  }

  update(name: string, change: UpdateClusterRequest): Promise<ClusterDetailResponse> {
    return firstValueFrom(this.http.patch<ClusterDetailResponse>(clusterUrl(name), change));
  }

  delete(name: string): Promise<void> {
    return firstValueFrom(this.http.delete<void>(clusterUrl(name)));
  }

  addNode(name: string, request: AddClusterNodeRequest): Promise<ClusterDetailResponse> {
    return firstValueFrom(this.http.post<ClusterDetailResponse>(`${clusterUrl(name)}/nodes`, request));
  }

  removeNode(name: string, node: string): Promise<void> {
    return firstValueFrom(this.http.delete<void>(`${clusterUrl(name)}/nodes/${encodeURIComponent(node)}`));
  }

  /** The account's nodes (the first 1,000 by name), as a cluster lists its own. */
  async accountNodes(): Promise<{ nodes: ClusterNode[]; total: number }> {
    const page = await firstValueFrom(this.http.get<NodeListResponse>('/api/nodes', { params: { limit: NODE_PAGE } }));
    return { nodes: page.items.map(({ id, name, status, lastSeenAt }) => ({ id, name, status, lastSeenAt })), total: page.total };
  }
}

function clusterUrl(name: string): string {
  return `/api/clusters/${encodeURIComponent(name)}`;
}

export const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
