import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { StackProblem } from '@thresh/protocol';

/** Every problem of a stack definition, each with where it is: from the editor's own check or from the hub's 400. */
@Component({
  selector: 'app-problem-list',
  templateUrl: './problem-list.html',
  styleUrl: './problem-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ProblemList {
  readonly problems = input.required<StackProblem[]>();
  /** Says whose verdict it is, e.g. "The hub refused the definition". */
  readonly heading = input.required<string>();
  /** A refusal after Deploy interrupts (alert); the check while typing is announced politely (status). */
  readonly urgent = input(false);
}
