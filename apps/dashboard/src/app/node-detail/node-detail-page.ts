import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, OnInit, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type {
  CommandListResponse,
  CommandProgressEvent,
  CommandResponse,
  MetricPoint,
  NodeBlueprintsResponse,
  NodeEnvironmentsResponse,
  NodeMetricsResponse,
  NodeResponse,
} from '@thresh/protocol';
import { firstValueFrom, map } from 'rxjs';
import { clock } from '../core/clock';
import { errorMessage } from '../core/error-message';
import { onLive } from '../core/live.service';
import { attempt, loadInto } from '../core/page-state';
import { SessionService } from '../core/session.service';
import { formatBytes, formatSince } from '../fleet/format';
import { MetricsChart } from './metrics-chart';

/** Questions the page itself asks the node (what it has, what it can deploy): not worth listing, nor reacting to. */
const QUESTIONS = new Set(['environment.list', 'blueprints.list']);

export const RANGES = { '1h': 3600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const;
export type Range = keyof typeof RANGES;

/** One node: its measurements over time, its environments, the commands sent to it, and a blueprint to deploy. */
@Component({
  selector: 'app-node-detail-page',
  imports: [MetricsChart, RouterLink],
  templateUrl: './node-detail-page.html',
  styleUrl: './node-detail-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NodeDetailPage implements OnInit {
  /** The node's name, from the route. */
  readonly name = input.required<string>();
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);

  protected readonly ranges = Object.keys(RANGES) as Range[];
  protected readonly node = signal<NodeResponse | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly range = signal<Range>('1h');
  protected readonly points = signal<MetricPoint[] | null>(null);
  protected readonly resolution = signal<string>('');
  protected readonly environments = signal<NodeEnvironmentsResponse | null>(null);
  protected readonly environmentsError = signal<string | null>(null);
  protected readonly commands = signal<CommandResponse[] | null>(null);
  protected readonly blueprints = signal<NodeBlueprintsResponse['blueprints'] | null>(null);
  protected readonly deployError = signal<string | null>(null);
  protected readonly deploying = signal<{ id: string; environment: string; steps: string[]; state: string } | null>(null);
  protected readonly now = clock();
  protected readonly confirmingReset = signal(false);
  protected readonly identityMessage = signal<string | null>(null);
  protected readonly identityError = signal<string | null>(null);
  protected readonly online = computed(() => this.node()?.status === 'online');
  protected readonly canDeploy = inject(SessionService).canOperate;

  constructor() {
    onLive('node:status', (event) => {
      const node = this.node();
      if (node && event.nodeId === node.id && event.status !== 'pruned') this.node.set({ ...node, status: event.status, lastSeenAt: event.lastSeenAt });
    });
    onLive('nodes:sampled', (events) => {
      const node = this.node();
      const sample = node && events.find((event) => event.nodeId === node.id);
      if (!node || !sample) return;
      const { cpuPercent, memoryUsedBytes, diskUsedBytes, containersRunning } = sample;
      const measured = { cpuPercent, memoryUsedBytes, diskUsedBytes, containersRunning };
      this.node.set({ ...node, ...measured, lastSeenAt: sample.at });
      // The last hour grows as measurements come; longer ranges show rollups, read again when chosen.
      if (this.range() === '1h' && this.resolution() === 'raw') {
        // The hour slides: what falls out of it goes, so a page left open does not grow.
        const since = Date.now() - RANGES['1h'] * 1000;
        this.points.update((points) => [...(points ?? []).filter((kept) => Date.parse(kept.at) >= since), { at: sample.at, ...measured }]);
      }
    });
    onLive('command:progress', (event) => this.onProgress(event));
  }

  ngOnInit(): void {
    void this.load();
  }

  protected async load(): Promise<void> {
    if (!(await loadInto(this.node, this.error, this.http.get<NodeResponse>(this.base())))) return;
    await Promise.all([this.loadMetrics(), this.loadEnvironments(), this.loadCommands()]);
  }

  protected async choose(range: Range): Promise<void> {
    this.range.set(range);
    await this.loadMetrics();
  }

  protected async loadBlueprints(): Promise<void> {
    const blueprints = this.http.get<NodeBlueprintsResponse>(`${this.base()}/blueprints`).pipe(map((answer) => answer.blueprints));
    await loadInto(this.blueprints, this.deployError, blueprints);
  }

  protected async deploy(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const blueprint = String(form.get('blueprint') ?? '');
    const name = String(form.get('environment') ?? '').trim();
    await attempt(this.deployError, async () => {
      const command = await firstValueFrom(this.http.post<CommandResponse>(`${this.base()}/up`, { blueprint, name }));
      this.deploying.set({ id: command.id, environment: name, steps: [], state: command.state });
    });
  }

  protected async rename(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '').trim();
    await attempt(this.identityError, async () => {
      const renamed = await firstValueFrom(this.http.patch<NodeResponse>(this.base(), { name }));
      this.identityMessage.set(`Renamed to ${renamed.name}.`);
      await this.router.navigate(['/nodes', renamed.name], { replaceUrl: true });
      this.node.set(renamed);
    });
  }

  protected async resetIdentity(): Promise<void> {
    await attempt(this.identityError, async () => {
      const reset = await firstValueFrom(this.http.post<NodeResponse>(`${this.base()}/reset-identity`, {}));
      this.node.set(reset);
      this.confirmingReset.set(false);
      this.identityMessage.set(`The next machine to register as ${reset.name} claims it.`);
    });
  }

  protected usage(used: number | null, total: number): string {
    return used === null ? `- / ${formatBytes(total)}` : `${formatBytes(used)} / ${formatBytes(total)}`;
  }

  protected since(iso: string | null): string {
    return formatSince(iso, this.now());
  }

  private onProgress(event: CommandProgressEvent): void {
    const deploying = this.deploying();
    if (deploying && event.commandId === deploying.id) {
      const step = event.step ? [`${event.step.name}: ${event.step.status}${event.step.message ? ` (${event.step.message})` : ''}`] : [];
      this.deploying.set({ ...deploying, steps: [...deploying.steps, ...step], state: event.state });
    }
    if (event.nodeName === this.name() && event.state !== 'running' && !QUESTIONS.has(event.kind)) void Promise.all([this.loadCommands(), this.loadEnvironments()]);
  }

  private async loadMetrics(): Promise<void> {
    const to = new Date();
    const from = new Date(to.getTime() - RANGES[this.range()] * 1000);
    try {
      const answer = await firstValueFrom(this.http.get<NodeMetricsResponse>(`${this.base()}/metrics`, { params: { from: from.toISOString(), to: to.toISOString() } }));
      this.points.set(answer.points);
      this.resolution.set(answer.resolution);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  private loadEnvironments(): Promise<boolean> {
    return loadInto(this.environments, this.environmentsError, this.http.get<NodeEnvironmentsResponse>(`${this.base()}/environments`));
  }

  private async loadCommands(): Promise<void> {
    try {
      const recent = await firstValueFrom(this.http.get<CommandListResponse>('/api/commands', { params: { node: this.name(), limit: 50 } }));
      this.commands.set(recent.items.filter((command) => !QUESTIONS.has(command.kind)).slice(0, 10));
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  private base(): string {
    return `/api/nodes/${encodeURIComponent(this.name())}`;
  }
}
