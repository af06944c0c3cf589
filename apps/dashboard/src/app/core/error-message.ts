import { HttpErrorResponse } from '@angular/common/http';

/** A sentence a person can act on, from whatever the request failed with. */
export function errorMessage(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return 'The hub cannot be reached. Check that it is running.';
    const body = error.error as { message?: unknown } | null;
    if (body && typeof body.message === 'string') return body.message;
    return `The hub answered ${error.status} ${error.statusText}`.trim();
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}
