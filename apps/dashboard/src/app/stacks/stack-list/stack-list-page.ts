import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { StackSummary } from '@thresh/protocol';
import { clock } from '../../core/clock';
import { onLive } from '../../core/live.service';
import { loadInto } from '../../core/page-state';
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

  protected readonly stacks = signal<StackSummary[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly canDeploy = inject(SessionService).canOperate;
  protected readonly now = clock();
  protected readonly load = coalesced(() => loadInto(this.stacks, this.error, this.api.list()));

  constructor() {
    // A stack's deploy or stop reporting progress changes its status and healthy count: read the list again.
    onLive('command:progress', (event) => {
      if (event.kind === 'stack.deploy' || event.kind === 'stack.stop') void this.load();
    });
  }

  ngOnInit(): void {
    void this.load();
  }

  protected since(iso: string): string {
    return formatSince(iso, this.now());
  }
}
