import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClusterResponse } from '@thresh/protocol';
import { focusLater } from '../core/focus';
import { Action, loadInto } from '../core/page-state';
import { SessionService } from '../core/session.service';
import { byName, ClustersApi, NewCluster } from './clusters.api';

/** Every cluster of the account: create one, open one, delete one (after saying yes). */
@Component({
  selector: 'app-clusters-page',
  imports: [RouterLink],
  templateUrl: './clusters-page.html',
  styleUrls: ['./clusters.css', './clusters-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClustersPage implements OnInit {
  private readonly api = inject(ClustersApi);
  private readonly focusLater = focusLater();

  protected readonly canManage = inject(SessionService).canOperate;
  private readonly clusters = signal<ClusterResponse[] | null>(null);
  protected readonly loaded = computed(() => this.clusters() !== null);
  protected readonly sorted = computed(() => [...(this.clusters() ?? [])].sort(byName));
  protected readonly loadError = signal<string | null>(null);
  protected readonly creating = new Action();
  /** The cluster whose deletion waits for a yes. */
  protected readonly confirming = signal<string | null>(null);
  protected readonly deleting = new Action();
  /** What just happened, read out to screen readers. */
  protected readonly notice = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  protected load(): Promise<boolean> {
    return loadInto(this.clusters, this.loadError, this.api.list());
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.creating.busy()) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const description = String(data.get('description') ?? '').trim();
    if (!name) {
      this.creating.error.set('Give the cluster a name.');
      return;
    }
    const request: NewCluster = description ? { name, description } : { name };
    await this.creating.run(async () => {
      const created = await this.api.create(request);
      this.clusters.update((clusters) => [...(clusters ?? []), created]);
      this.notice.set(`Cluster ${created.name} created. Open it to add nodes.`);
      form.reset();
    });
  }

  protected askDelete(name: string): void {
    this.confirming.set(name);
    this.deleting.error.set(null);
    this.focusLater('.confirm .cancel');
  }

  protected cancelDelete(): void {
    const name = this.confirming();
    this.confirming.set(null);
    this.deleting.error.set(null);
    if (name) this.focusLater(`tr[data-cluster="${name}"] .delete`);
  }

  protected async delete(cluster: ClusterResponse): Promise<void> {
    await this.deleting.run(async () => {
      await this.api.delete(cluster.name);
      this.clusters.update((clusters) => (clusters ?? []).filter((candidate) => candidate.id !== cluster.id));
      this.confirming.set(null);
      this.notice.set(`Cluster ${cluster.name} deleted. Its nodes stay in the fleet.`);
      this.focusLater('#clusters-title');
    });
  }
}
