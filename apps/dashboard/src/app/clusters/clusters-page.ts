import { afterNextRender, ChangeDetectionStrategy, Component, computed, ElementRef, inject, Injector, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClusterResponse } from '@thresh/protocol';
import { errorMessage } from '../core/error-message';
import { SessionService } from '../core/session.service';
import { byName, canManageClusters, ClustersApi, NewCluster } from './clusters.api';

/** Every cluster of the account: create one, open one, delete one (after saying yes). */
@Component({
  selector: 'app-clusters-page',
  imports: [RouterLink],
  templateUrl: './clusters-page.html',
  styleUrl: './clusters-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClustersPage implements OnInit {
  private readonly api = inject(ClustersApi);
  private readonly session = inject(SessionService);
  private readonly host: ElementRef<HTMLElement> = inject(ElementRef);
  private readonly injector = inject(Injector);

  protected readonly canManage = computed(() => canManageClusters(this.session.user()?.role));
  private readonly clusters = signal<ClusterResponse[] | null>(null);
  protected readonly loaded = computed(() => this.clusters() !== null);
  protected readonly sorted = computed(() => [...(this.clusters() ?? [])].sort(byName));
  protected readonly loadError = signal<string | null>(null);
  protected readonly creating = signal(false);
  protected readonly createError = signal<string | null>(null);
  /** The cluster whose deletion waits for a yes. */
  protected readonly confirming = signal<string | null>(null);
  protected readonly deleting = signal(false);
  protected readonly deleteError = signal<string | null>(null);
  /** What just happened, read out to screen readers. */
  protected readonly notice = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.clusters.set(await this.api.list());
      this.loadError.set(null);
    } catch (error) {
      this.loadError.set(errorMessage(error));
    }
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.creating()) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const description = String(data.get('description') ?? '').trim();
    if (!name) {
      this.createError.set('Give the cluster a name.');
      return;
    }
    const request: NewCluster = description ? { name, description } : { name };
    this.creating.set(true);
    try {
      const created = await this.api.create(request);
      this.clusters.update((clusters) => [...(clusters ?? []), created]);
      this.createError.set(null);
      this.notice.set(`Cluster ${created.name} created. Open it to add nodes.`);
      form.reset();
    } catch (error) {
      this.createError.set(errorMessage(error));
    } finally {
      this.creating.set(false);
    }
  }

  protected askDelete(name: string): void {
    this.confirming.set(name);
    this.deleteError.set(null);
    this.focusLater('.confirm .cancel');
  }

  protected cancelDelete(): void {
    const name = this.confirming();
    this.confirming.set(null);
    this.deleteError.set(null);
    if (name) this.focusLater(`tr[data-cluster="${name}"] .delete`);
  }

  protected async delete(cluster: ClusterResponse): Promise<void> {
    if (this.deleting()) return;
    this.deleting.set(true);
    try {
      await this.api.delete(cluster.name);
      this.clusters.update((clusters) => (clusters ?? []).filter((candidate) => candidate.id !== cluster.id));
      this.confirming.set(null);
      this.deleteError.set(null);
      this.notice.set(`Cluster ${cluster.name} deleted. Its nodes stay in the fleet.`);
      this.focusLater('#clusters-title');
    } catch (error) {
      this.deleteError.set(errorMessage(error));
    } finally {
      this.deleting.set(false);
    }
  }

  /** Moves the keyboard focus once the page shows what was just asked for. */
  private focusLater(selector: string): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLElement>(selector)?.focus(), { injector: this.injector });
  }
}
