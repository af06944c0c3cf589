import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClusterDetailResponse, ClusterNode, NodeSampledEvent, NodeStatusEvent } from '@thresh/protocol';
import { clock } from '../core/clock';
import { errorMessage } from '../core/error-message';
import { focusLater } from '../core/focus';
import { Action, attempt } from '../core/page-state';
import { LiveService, onLive } from '../core/live.service';
import { SessionService } from '../core/session.service';
import { formatSince } from '../fleet/format';
import { byName, ClustersApi } from './clusters.api';

/** One cluster: its nodes and their status as it changes; admins and operators edit it and add or remove nodes. */
@Component({
  selector: 'app-cluster-page',
  imports: [RouterLink],
  templateUrl: './cluster-page.html',
  styleUrls: ['./clusters.css', './cluster-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterPage {
  /** The cluster's name, from the route. */
  readonly name = input.required<string>();
  private readonly api = inject(ClustersApi);
  private readonly live = inject(LiveService);
  private readonly focusLater = focusLater();

  protected readonly canManage = inject(SessionService).canOperate;
  protected readonly liveState = this.live.state;
  protected readonly cluster = signal<ClusterDetailResponse | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly members = computed(() => [...(this.cluster()?.nodes ?? [])].sort(byName));
  protected readonly counts = computed(() => {
    const nodes = this.members();
    const online = nodes.filter((node) => node.status === 'online').length;
    return { online, offline: nodes.length - online, total: nodes.length };
  });

  /** The account's nodes, to choose from when adding one; null until read. */
  private readonly accountNodes = signal<ClusterNode[] | null>(null);
  protected readonly accountTotal = signal(0);
  protected readonly accountNodesError = signal<string | null>(null);
  protected readonly candidates = computed(() => {
    const nodes = this.accountNodes();
    if (!nodes) return null;
    const inCluster = new Set(this.members().map((node) => node.id));
    return nodes.filter((node) => !inCluster.has(node.id)).sort(byName);
  });
  protected readonly accountNodeCount = computed(() => this.accountNodes()?.length ?? 0);

  protected readonly editing = signal(false);
  protected readonly saving = new Action();
  protected readonly adding = new Action();
  /** The id of the node being taken out. */
  protected readonly removing = signal<string | null>(null);
  protected readonly removeError = signal<string | null>(null);
  /** What just happened, read out to screen readers. */
  protected readonly notice = signal<string | null>(null);
  protected readonly now = clock();

  constructor() {
    onLive('node:status', (event) => this.applyStatus(event));
    onLive('nodes:sampled', (events) => this.applySamples(events));
    // The router keeps the page when only the name in the address changes: read the new cluster then.
    effect(() => {
      const name = this.name();
      untracked(() => void this.load(name));
    });
  }

  private async load(name: string): Promise<void> {
    this.cluster.set(null);
    this.accountNodes.set(null);
    this.editing.set(false);
    for (const problem of [this.error, this.saving.error, this.adding.error, this.removeError, this.accountNodesError, this.notice]) problem.set(null);
    try {
      const cluster = await this.api.get(name);
      // Another cluster was opened meanwhile: its own reading shows it.
      if (name !== this.name()) return;
      this.cluster.set(cluster);
    } catch (error) {
      if (name === this.name()) this.error.set(errorMessage(error));
      return;
    }
    if (this.canManage()) await this.loadAccountNodes();
  }

  protected since(iso: string | null): string {
    return formatSince(iso, this.now());
  }

  protected startEdit(): void {
    this.editing.set(true);
    this.saving.error.set(null);
    this.focusLater('textarea[name=description]');
  }

  protected cancelEdit(): void {
    this.editing.set(false);
    this.saving.error.set(null);
    this.focusLater('.edit-description');
  }

  protected async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const description = String(new FormData(event.target as HTMLFormElement).get('description') ?? '').trim();
    await this.saving.run(async () => {
      this.cluster.set(await this.api.update(this.name(), { description }));
      this.editing.set(false);
      this.notice.set('Description saved.');
      this.focusLater('.edit-description');
    });
  }

  protected async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.adding.busy()) return;
    const form = event.target as HTMLFormElement;
    const id = String(new FormData(form).get('node') ?? '');
    const node = this.candidates()?.find((candidate) => candidate.id === id);
    if (!node) {
      this.adding.error.set('Choose a node to add.');
      return;
    }
    await this.adding.run(async () => {
      this.cluster.set(await this.api.addNode(this.name(), { node: node.id }));
      this.removeError.set(null);
      this.notice.set(`${node.name} added to ${this.name()}.`);
      form.reset();
    });
  }

  protected async remove(node: ClusterNode): Promise<void> {
    if (this.removing()) return;
    this.removing.set(node.id);
    try {
      await this.api.removeNode(this.name(), node.id);
      this.dropMember(node.id);
      this.removeError.set(null);
      this.notice.set(`${node.name} removed from ${this.name()}. The node stays in the fleet.`);
      this.focusLater('#members-title');
    } catch (error) {
      this.removeError.set(errorMessage(error));
    } finally {
      this.removing.set(null);
    }
  }

  private loadAccountNodes(): Promise<boolean> {
    return attempt(this.accountNodesError, async () => {
      const { nodes, total } = await this.api.accountNodes();
      this.accountNodes.set(nodes);
      this.accountTotal.set(total);
    });
  }

  private dropMember(id: string): void {
    this.cluster.update((cluster) => {
      if (!cluster || !cluster.nodes.some((node) => node.id === id)) return cluster;
      return { ...cluster, nodes: cluster.nodes.filter((node) => node.id !== id), nodeCount: Math.max(0, cluster.nodeCount - 1) };
    });
  }

  private applyStatus(event: NodeStatusEvent): void {
    const { nodeId, status } = event;
    if (status === 'pruned') {
      // A pruned node is gone from the account, and so from its clusters.
      this.dropMember(nodeId);
      this.accountNodes.update((nodes) => nodes && nodes.filter((node) => node.id !== nodeId));
      return;
    }
    const change = { name: event.name, status, lastSeenAt: event.lastSeenAt };
    this.cluster.update((cluster) =>
      cluster && cluster.nodes.some((node) => node.id === nodeId) ? { ...cluster, nodes: cluster.nodes.map((node) => (node.id === nodeId ? { ...node, ...change } : node)) } : cluster,
    );
    // A node registered since the page opened can be added at once.
    this.accountNodes.update((nodes) => {
      if (!nodes) return nodes;
      return nodes.some((node) => node.id === nodeId) ? nodes.map((node) => (node.id === nodeId ? { ...node, ...change } : node)) : [...nodes, { id: nodeId, ...change }];
    });
  }

  private applySamples(events: NodeSampledEvent[]): void {
    const cluster = this.cluster();
    if (!cluster) return;
    const seen = new Map(events.map((event) => [event.nodeId, event.at]));
    if (!cluster.nodes.some((node) => seen.has(node.id))) return;
    this.cluster.set({ ...cluster, nodes: cluster.nodes.map((node) => ({ ...node, lastSeenAt: seen.get(node.id) ?? node.lastSeenAt })) });
  }
}
