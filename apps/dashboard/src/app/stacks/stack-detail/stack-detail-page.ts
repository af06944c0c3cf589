import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type { CommandProgressEvent, StackResponse, StackServiceResponse } from '@thresh/protocol';
import { clock } from '../../core/clock';
import { errorMessage } from '../../core/error-message';
import { focusLater } from '../../core/focus';
import { LiveService, onLive } from '../../core/live.service';
import { SessionService } from '../../core/session.service';
import { formatSince } from '../../fleet/format';
import { ProblemList } from '../problem-list/problem-list';
import { definedServices, withImage } from '../stack-definitions';
import { coalesced, Refusal, refusal, StacksApi } from '../stacks-api';

/** A service as the page shows it: its state from the hub, and its image from the stored definition (none: a command). */
export interface ServiceRow extends StackServiceResponse {
  image: string | null;
}

/**
 * One stack: its status and each service's, followed live as its node reports them; and for operators and admins,
 * stop, destroy, and a new image for one service (the stored definition deployed again with it).
 */
@Component({
  selector: 'app-stack-detail-page',
  imports: [RouterLink, ProblemList],
  templateUrl: './stack-detail-page.html',
  styleUrls: ['../status.css', './stack-detail-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StackDetailPage {
  /** The stack's name, from the route. */
  readonly name = input.required<string>();
  private readonly api = inject(StacksApi);
  private readonly router = inject(Router);
  private readonly live = inject(LiveService);
  private readonly focusLater = focusLater();

  protected readonly stack = signal<StackResponse | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly liveState = this.live.state;
  protected readonly canAct = inject(SessionService).canOperate;
  protected readonly busy = signal<'stop' | 'destroy' | 'image' | null>(null);
  /** Why the hub refused a stop or a destroy (409 while the stack's previous command runs). */
  protected readonly actionError = signal<string | null>(null);
  protected readonly confirmingDestroy = signal(false);
  /** The service whose image form is open. */
  protected readonly editing = signal<string | null>(null);
  protected readonly imageRefusal = signal<Refusal | null>(null);
  /** What the last action set going, until the next one. */
  protected readonly notice = signal<string | null>(null);
  protected readonly now = clock();

  protected readonly services = computed<ServiceRow[]>(() => {
    const stack = this.stack();
    if (!stack) return [];
    const images = new Map(definedServices(stack.definition).map((service) => [service.name, service.image]));
    return stack.services.map((service) => ({ ...service, image: images.get(service.name) ?? null }));
  });

  protected readonly load = coalesced(() => this.read());

  constructor() {
    // The router keeps this page when only the name changes (one stack to another): read the one now named.
    effect(() => {
      this.name();
      untracked(() => {
        this.stack.set(null);
        this.closeForms();
        void this.load();
      });
    });
    onLive('command:progress', (event) => this.onProgress(event));
  }

  protected since(iso: string | null): string {
    return iso ? formatSince(iso, this.now()) : '-';
  }

  protected stop(): Promise<void> {
    return this.act('stop', async () => {
      this.stack.set(await this.api.stop(this.name()));
      this.notice.set(`Stopping ${this.name()}: its services stop, dependents first.`);
    });
  }

  protected askDestroy(): void {
    this.confirmingDestroy.set(true);
    this.actionError.set(null);
    this.focusLater('.confirm [data-cancel]');
  }

  protected cancelDestroy(): void {
    this.confirmingDestroy.set(false);
    this.focusLater('[data-action=destroy]');
  }

  protected destroy(): Promise<void> {
    return this.act('destroy', async () => {
      await this.api.delete(this.name(), true);
      this.confirmingDestroy.set(false);
      await this.router.navigate(['/stacks']);
    });
  }

  protected editImage(service: string): void {
    this.editing.set(service);
    this.imageRefusal.set(null);
    this.focusLater(`#image-${service}`);
  }

  protected cancelImage(service: string): void {
    this.editing.set(null);
    this.imageRefusal.set(null);
    this.focusLater(`[data-edit-image="${service}"]`);
  }

  /** Deploys the stored definition again with this service's image changed: the hub restarts only that service. */
  protected async updateImage(event: Event, service: ServiceRow): Promise<void> {
    event.preventDefault();
    const stack = this.stack();
    const image = String(new FormData(event.target as HTMLFormElement).get('image') ?? '').trim();
    if (!stack || this.busy()) return;
    if (!image || image === service.image) {
      this.imageRefusal.set({ message: image ? `${service.name} already runs ${image}: give another image.` : 'Give an image, e.g. nginx:1.27.', problems: [] });
      return;
    }
    await this.act(
      'image',
      async () => {
        const deployed = await this.api.deploy(withImage(stack.definition, service.name, image));
        this.editing.set(null);
        this.notice.set(`Deploying ${service.name} with ${image} on ${deployed.node}: only the services that changed restart (${deployed.changed.join(', ') || 'none'}).`);
        await this.load();
      },
      (error) => this.imageRefusal.set(refusal(error)),
    );
  }

  private onProgress(event: CommandProgressEvent): void {
    const stack = this.stack();
    if (!stack) return;
    const ours = event.commandId === stack.commandId || (event.nodeName === stack.node && (event.kind === 'stack.deploy' || event.kind === 'stack.stop'));
    if (ours) void this.load();
  }

  private closeForms(): void {
    this.confirmingDestroy.set(false);
    this.editing.set(null);
    this.imageRefusal.set(null);
    this.actionError.set(null);
    this.notice.set(null);
  }

  /** One action at a time, the last one's errors and notice cleared as it starts; a failure goes to `failed`. */
  private async act(action: 'stop' | 'destroy' | 'image', work: () => Promise<void>, failed = (error: unknown) => this.actionError.set(errorMessage(error))): Promise<void> {
    if (this.busy()) return;
    this.busy.set(action);
    this.actionError.set(null);
    this.imageRefusal.set(null);
    this.notice.set(null);
    try {
      await work();
    } catch (error) {
      failed(error);
    } finally {
      this.busy.set(null);
    }
  }

  private async read(): Promise<void> {
    const name = this.name();
    try {
      const stack = await this.api.get(name);
      // An answer about the stack this page showed before its name changed is not news (the next read follows).
      if (name !== this.name()) return;
      this.stack.set(stack);
      this.error.set(null);
    } catch (error) {
      if (name === this.name()) this.error.set(errorMessage(error));
    }
  }
}
