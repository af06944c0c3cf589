import { signal, WritableSignal } from '@angular/core';
import { firstValueFrom, Observable } from 'rxjs';
import { errorMessage } from './error-message';

/** What a page shows of its own work: an action under way, the last failure, the last thing done. */
export class PageState {
  readonly busy = signal(false);
  readonly error = signal<string | null>(null);
  readonly notice = signal<string | null>(null);

  /** One action at a time (a second click while one runs does nothing); its failure becomes the page's error. */
  async run(action: () => Promise<void>): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    try {
      await action();
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Fills `target` with the answer; a failure becomes the page's error, and the last answer stays. */
  async load<T>(target: WritableSignal<T>, request: Observable<T>): Promise<void> {
    try {
      target.set(await firstValueFrom(request));
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
