import { errorBodySchema } from '@thresh/protocol';
import { EXIT } from './exit-codes';

/** A failed hub call, with the exit code a script can branch on. */
export class HubApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly exitCode: number,
    /** Each problem of a refused request, by field, when the hub named them. */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

function exitCodeFor(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 429) return EXIT.remote;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.remote;
}

/** The hub's REST API as the CLI uses it: JSON in, JSON out, errors as HubApiError. */
export class HubClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let url: URL;
    try {
      url = new URL(path, this.baseUrl);
    } catch {
      throw new HubApiError(`"${this.baseUrl}" is not a URL: give the hub as https://host:7200`, 0, EXIT.usage);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new HubApiError(`Cannot reach the hub at ${this.baseUrl}: ${(error as Error).message}`, 0, EXIT.remote);
    }
    const text = await response.text();
    let payload: unknown;
    try {
      payload = text ? JSON.parse(text) : undefined;
    } catch {
      // A proxy's error page, say: not the hub answering.
      throw new HubApiError(`${this.baseUrl} answered HTTP ${response.status} with something that is not the hub's JSON`, response.status, EXIT.remote);
    }
    if (!response.ok) {
      const parsed = errorBodySchema.safeParse(payload);
      const message = parsed.success ? parsed.data.message : `HTTP ${response.status}`;
      const hint = response.status === 401 ? ' (log in again: thresh auth login)' : '';
      throw new HubApiError(`${message}${hint}`, response.status, exitCodeFor(response.status), parsed.success ? (parsed.data.issues ?? []) : []);
    }
    return payload as T;
  }
}
