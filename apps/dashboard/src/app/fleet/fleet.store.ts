import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import type { ClusterDetailResponse, ClusterResponse, NodeListResponse, NodeResponse, NodeSampledEvent, NodeStatusEvent } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../core/error-message';
import { LiveService, onLive } from '../core/live.service';

export type FleetSortKey = 'name' | 'status' | 'lastSeen' | 'cpu' | 'memory' | 'disk' | 'containers' | 'environments';

export interface FleetQuery {
  search: string;
  status: 'all' | 'online' | 'offline';
  /** A cluster's name, or null for every node. */
  cluster: string | null;
  sort: FleetSortKey;
  order: 'asc' | 'desc';
}

const PAGE = 1000;
const ratio = (used: number | null, total: number) => (used === null || total <= 0 ? -1 : used / total);
const SORT_VALUE: Record<FleetSortKey, (node: NodeResponse) => number | string> = {
  name: (node) => node.name,
  status: (node) => node.status,
  lastSeen: (node) => (node.lastSeenAt ? Date.parse(node.lastSeenAt) : 0),
  cpu: (node) => node.cpuPercent ?? -1,
  memory: (node) => ratio(node.memoryUsedBytes, node.memoryTotalBytes),
  disk: (node) => ratio(node.diskUsedBytes, node.diskTotalBytes),
  containers: (node) => node.containersRunning ?? -1,
  environments: (node) => node.environments.length,
};

/**
 * Every node of the account, loaded once and kept current from the hub's /dashboard pushes: status changes and new
 * measurements arrive without a page refresh, and the view is filtered and sorted here, so 10,000 nodes stay smooth.
 */
@Injectable()
export class FleetStore {
  private readonly http = inject(HttpClient);
  private readonly live = inject(LiveService);
  private readonly nodesById = signal<ReadonlyMap<string, NodeResponse> | null>(null);
  private readonly clusterMembers = signal<ReadonlySet<string> | null>(null);
  /** Each load and each cluster choice counts, so an answer that comes after a newer one is dropped. */
  private loads = 0;
  private clusterChoices = 0;
  /** Pushes that came while the list was being read (null when no load is under way). */
  private heldBack: (() => void)[] | null = null;
  /** Nodes being read one by one, because a push named a node the list did not have. */
  private readonly fetching = new Set<string>();

  readonly error = signal<string | null>(null);
  readonly clusters = signal<ClusterResponse[]>([]);
  readonly query = signal<FleetQuery>({ search: '', status: 'all', cluster: null, sort: 'name', order: 'asc' });
  readonly loaded = computed(() => this.nodesById() !== null);
  readonly liveState = this.live.state;

  readonly counts = computed(() => {
    const nodes = [...(this.nodesById()?.values() ?? [])];
    const online = nodes.filter((node) => node.status === 'online').length;
    return { online, offline: nodes.length - online, total: nodes.length };
  });

  readonly visible = computed(() => {
    const { search, status, sort, order } = this.query();
    const members = this.clusterMembers();
    const needle = search.trim().toLowerCase();
    const value = SORT_VALUE[sort];
    const direction = order === 'asc' ? 1 : -1;
    return [...(this.nodesById()?.values() ?? [])]
      .filter((node) => (status === 'all' || node.status === status) && (!members || members.has(node.id)))
      .filter((node) => !needle || node.name.toLowerCase().includes(needle) || node.hostname.toLowerCase().includes(needle))
      .sort((a, b) => {
        const [left, right] = [value(a), value(b)];
        const compared = typeof left === 'string' ? left.localeCompare(String(right)) : left - (right as number);
        return compared * direction || a.name.localeCompare(b.name);
      });
  });

  constructor() {
    onLive('node:status', (event) => this.applyStatus(event));
    onLive('nodes:sampled', (events) => this.applySamples(events));
  }

  async load(): Promise<void> {
    const generation = ++this.loads;
    // What the hub pushes while the list is read is kept, and applied to the list once it is in.
    this.heldBack = [];
    try {
      const nodes: NodeResponse[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await firstValueFrom(this.http.get<NodeListResponse>('/api/nodes', { params: { limit: PAGE, offset } }));
        nodes.push(...page.items);
        if (nodes.length >= page.total || page.items.length === 0) break;
      }
      const clusters = await firstValueFrom(this.http.get<ClusterResponse[]>('/api/clusters'));
      // A later load started meanwhile: its answer is the newer one.
      if (generation !== this.loads) return;
      this.nodesById.set(new Map(nodes.map((node) => [node.id, node])));
      this.clusters.set(clusters);
      this.error.set(null);
      const held = this.heldBack ?? [];
      this.heldBack = null;
      for (const apply of held) apply();
    } catch (error) {
      if (generation === this.loads) {
        this.heldBack = null;
        this.error.set(errorMessage(error));
      }
    }
  }

  update(change: Partial<FleetQuery>): void {
    this.query.update((query) => ({ ...query, ...change }));
    if ('cluster' in change) void this.loadClusterMembers(change.cluster ?? null);
  }

  /** Sorts by this column, or turns the order round when it sorts by it already. */
  sortBy(key: FleetSortKey): void {
    this.query.update((query) => ({ ...query, sort: key, order: query.sort === key && query.order === 'asc' ? 'desc' : 'asc' }));
  }

  private async loadClusterMembers(cluster: string | null): Promise<void> {
    const choice = ++this.clusterChoices;
    // Nothing of the previous cluster shows under the new one's name while its members are read.
    this.clusterMembers.set(cluster ? new Set() : null);
    if (!cluster) return;
    try {
      const detail = await firstValueFrom(this.http.get<ClusterDetailResponse>(`/api/clusters/${encodeURIComponent(cluster)}`));
      if (choice === this.clusterChoices) this.clusterMembers.set(new Set(detail.nodes.map((node) => node.id)));
    } catch (error) {
      if (choice !== this.clusterChoices) return;
      this.query.update((query) => ({ ...query, cluster: null }));
      this.clusterMembers.set(null);
      this.error.set(errorMessage(error));
    }
  }

  /** A node the list did not have (it registered since): read just that one. */
  private async fetchNode(nodeId: string): Promise<void> {
    if (this.fetching.has(nodeId)) return;
    this.fetching.add(nodeId);
    try {
      const node = await firstValueFrom(this.http.get<NodeResponse>(`/api/nodes/${nodeId}`));
      const nodes = this.nodesById();
      if (nodes) this.nodesById.set(new Map(nodes).set(node.id, node));
    } catch {
      // Gone again (pruned) before it could be read: nothing to show.
    } finally {
      this.fetching.delete(nodeId);
    }
  }

  private applyStatus(event: NodeStatusEvent): void {
    if (this.heldBack) {
      this.heldBack.push(() => this.applyStatus(event));
      return;
    }
    const nodes = this.nodesById();
    if (!nodes) return;
    const known = nodes.get(event.nodeId);
    if (!known) {
      if (event.status !== 'pruned') void this.fetchNode(event.nodeId);
      return;
    }
    const next = new Map(nodes);
    if (event.status === 'pruned') next.delete(event.nodeId);
    else next.set(event.nodeId, { ...known, status: event.status, lastSeenAt: event.lastSeenAt });
    this.nodesById.set(next);
  }

  private applySamples(events: NodeSampledEvent[]): void {
    if (this.heldBack) {
      this.heldBack.push(() => this.applySamples(events));
      return;
    }
    const nodes = this.nodesById();
    if (!nodes) return;
    const next = new Map(nodes);
    for (const event of events) {
      const known = next.get(event.nodeId);
      if (!known) continue;
      next.set(event.nodeId, {
        ...known,
        cpuPercent: event.cpuPercent,
        memoryUsedBytes: event.memoryUsedBytes,
        diskUsedBytes: event.diskUsedBytes,
        containersRunning: event.containersRunning,
        environments: event.environments,
        lastSampleAt: event.at,
        lastSeenAt: event.at,
      });
    }
    this.nodesById.set(next);
  }
}
