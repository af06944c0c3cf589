import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { StackSummary } from '@thresh/protocol';
import { errorMessage } from '../../core/error-message';
import { LiveService } from '../../core/live.service';
import { SessionService } from '../../core/session.service';
import { formatSince } from '../../fleet/format';
import { coalesced, StacksApi } from '../stacks-api';

/** Every stack of the account: its status, how many services are healthy, where it runs; kept current as stacks deploy and stop. */
@Component({
  selector: 'app-stack-list-page',
  imports: [RouterLink],
  templateUrl: './stack-list-page.html',
  styleUrls: ['../status.css', './stack-list-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StackListPage implements OnInit {
  private readonly api = inject(StacksApi);
  private readonly session = inject(SessionService);

  protected readonly stacks = signal<StackSummary[] | null>(null);
  protected readonly error = signal<string | null>(null);
  /** Viewers look; operators and admins deploy. */
  protected readonly canDeploy = computed(() => this.session.user()?.role !== 'viewer');
  /** Ticks every few seconds, so "updated" stays true between pushes. */
  protected readonly now = signal(Date.now());
  protected readonly load = coalesced(() => this.read());

  constructor() {
    // A stack's deploy or stop reporting progress changes its status and healthy count: read the list again.
    const stop = inject(LiveService).on('command:progress', (event) => {
      if (event.kind === 'stack.deploy' || event.kind === 'stack.stop') void this.load();
    });
    const timer = setInterval(() => this.now.set(Date.now()), 5000);
    inject(DestroyRef).onDestroy(() => {
      stop();
      clearInterval(timer);
    });
  }

  ngOnInit(): void {
    void this.load();
  }

  protected since(iso: string): string {
    return formatSince(iso, this.now());
  }

  private async read(): Promise<void> {
    try {
      this.stacks.set(await this.api.list());
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
