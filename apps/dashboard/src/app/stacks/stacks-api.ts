import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { StackDeployResponse, StackProblem, StackResponse, StackSummary } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../core/error-message';

/** The hub's /api/stacks: stacks listed, read, deployed, stopped and forgotten. */
@Injectable({ providedIn: 'root' })
export class StacksApi {
  private readonly http = inject(HttpClient);

  list(): Promise<StackSummary[]> {
    return firstValueFrom(this.http.get<StackSummary[]>('/api/stacks'));
  }

  get(name: string): Promise<StackResponse> {
    return firstValueFrom(this.http.get<StackResponse>(stackUrl(name)));
  }

  /** The hub validates the definition again: a 400 lists every problem (see {@link refusal}). */
  deploy(definition: unknown): Promise<StackDeployResponse> {
    return firstValueFrom(this.http.post<StackDeployResponse>('/api/stacks/deploy', definition));
  }

  stop(name: string): Promise<StackResponse> {
    return firstValueFrom(this.http.post<StackResponse>(`${stackUrl(name)}/stop`, {}));
  }

  /** Forgets the stack; with `destroy` its services are removed with their volumes. */
  delete(name: string, destroy: boolean): Promise<{ commandId: string | null }> {
    return firstValueFrom(this.http.delete<{ commandId: string | null }>(stackUrl(name), { params: { destroy } }));
  }
}

export const stackUrl = (name: string) => `/api/stacks/${encodeURIComponent(name)}`;

/** Why the hub refused: its message, and for a 400 on a definition every problem with its path. */
export interface Refusal {
  message: string;
  problems: StackProblem[];
}

export function refusal(error: unknown): Refusal {
  return { message: errorMessage(error), problems: issuesOf(error) };
}

function issuesOf(error: unknown): StackProblem[] {
  if (!(error instanceof HttpErrorResponse) || error.status !== 400) return [];
  const body: unknown = error.error;
  if (!isRecord(body) || !Array.isArray(body['issues'])) return [];
  return body['issues'].flatMap((issue: unknown) =>
    isRecord(issue) && typeof issue['message'] === 'string' ? [{ path: typeof issue['path'] === 'string' ? issue['path'] : '(root)', message: issue['message'] }] : [],
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Runs `load` now, or once more after the run under way when asked meanwhile: a burst of pushes reads the hub once
 * or twice, never in parallel, and the last read is never older than the last push.
 */
export function coalesced(load: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}
