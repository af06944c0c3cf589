import { signal, WritableSignal } from '@angular/core';
import { firstValueFrom, isObservable, Observable } from 'rxjs';
import { errorMessage } from './error-message';

/** Runs `work`: success clears `error`, a failure sets it to a sentence a person can act on. Says whether it succeeded. */
export async function attempt(error: WritableSignal<string | null>, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    error.set(null);
    return true;
  } catch (failure) {
    error.set(errorMessage(failure));
    return false;
  }
}

/** Fills `target` with the answer and clears `error`; a failure goes to `error`, and the last answer stays. Says whether it loaded. */
export async function loadInto<T>(target: WritableSignal<T>, error: WritableSignal<string | null>, request: Observable<T> | Promise<T>): Promise<boolean> {
  try {
    target.set(await (isObservable(request) ? firstValueFrom(request) : request));
    error.set(null);
    return true;
  } catch (failure) {
    error.set(errorMessage(failure));
    return false;
  }
}

/** One kind of request a page sends (create, save, delete…): whether it is under way, and why it last failed. */
export class Action {
  readonly busy = signal(false);
  readonly error = signal<string | null>(null);

  /** One at a time (a second click while one runs does nothing); success clears the error, a failure sets it. Says whether it was done. */
  async run(work: () => Promise<void>): Promise<boolean> {
    if (this.busy()) return false;
    this.busy.set(true);
    try {
      return await attempt(this.error, work);
    } finally {
      this.busy.set(false);
    }
  }
}

/** What a page shows of its own work: an action under way, the last failure, the last thing done. */
export class PageState extends Action {
  readonly notice = signal<string | null>(null);

  /** As {@link Action.run}, and the last failure and notice go as the action starts. */
  override run(action: () => Promise<void>): Promise<boolean> {
    if (this.busy()) return Promise.resolve(false);
    this.error.set(null);
    this.notice.set(null);
    return super.run(action);
  }

  load<T>(target: WritableSignal<T>, request: Observable<T>): Promise<boolean> {
    return loadInto(target, this.error, request);
  }
}
