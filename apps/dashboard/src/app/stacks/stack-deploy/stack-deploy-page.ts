import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { SessionService } from '../../core/session.service';
import { EXAMPLE_TEXT } from '../example';
import { ProblemList } from '../problem-list/problem-list';
import { checkDefinition } from '../stack-definitions';
import { Refusal, refusal, StacksApi } from '../stacks-api';

/**
 * A stack definition written as JSON, checked as it is typed with the hub's own rules (every problem at once, each
 * with where it is), then deployed; the hub checks again, and its refusal shows the same way.
 */
@Component({
  selector: 'app-stack-deploy-page',
  imports: [RouterLink, ProblemList],
  templateUrl: './stack-deploy-page.html',
  styleUrl: './stack-deploy-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StackDeployPage {
  private readonly api = inject(StacksApi);
  private readonly router = inject(Router);

  protected readonly text = signal(EXAMPLE_TEXT);
  protected readonly targetNode = signal('');
  protected readonly targetCluster = signal('');
  protected readonly submitting = signal(false);
  /** The hub's answer to the last deploy, until the definition changes. */
  protected readonly refused = signal<Refusal | null>(null);
  protected readonly canDeploy = inject(SessionService).canOperate;

  private readonly checked = computed(() => checkDefinition(this.text(), { node: this.targetNode(), cluster: this.targetCluster() }));
  protected readonly jsonError = computed(() => {
    const checked = this.checked();
    return checked.state === 'invalid-json' ? checked.message : null;
  });
  protected readonly problems = computed(() => {
    const checked = this.checked();
    return checked.state === 'problems' ? checked.problems : [];
  });
  protected readonly valid = computed(() => {
    const checked = this.checked();
    return checked.state === 'valid' ? { name: checked.name, services: checked.services } : null;
  });

  protected onText(event: Event): void {
    this.text.set((event.target as HTMLTextAreaElement).value);
    this.refused.set(null);
  }

  protected onTargetNode(event: Event): void {
    this.targetNode.set((event.target as HTMLInputElement).value);
    this.refused.set(null);
  }

  protected onTargetCluster(event: Event): void {
    this.targetCluster.set((event.target as HTMLInputElement).value);
    this.refused.set(null);
  }

  protected restoreExample(): void {
    this.text.set(EXAMPLE_TEXT);
    this.refused.set(null);
  }

  protected async deploy(event: Event): Promise<void> {
    event.preventDefault();
    const checked = this.checked();
    if (checked.state !== 'valid' || this.submitting() || !this.canDeploy()) return;
    this.submitting.set(true);
    this.refused.set(null);
    try {
      const deployed = await this.api.deploy(checked.body);
      await this.router.navigate(['/stacks', deployed.name]);
    } catch (error) {
      this.refused.set(refusal(error));
    } finally {
      this.submitting.set(false);
    }
  }
}
