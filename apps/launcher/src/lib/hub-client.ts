import {
  CreatedKeyResponse,
  CreateKeyRequest,
  errorBodySchema,
  KeyResponse,
  LoginResponse,
  NodeListResponse,
} from '@thresh/protocol';
import { setTimeout as sleep } from 'node:timers/promises';

export class HubRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The few hub API calls the launcher needs. */
export class HubClient {
  private token?: string;

  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<LoginResponse> {
    const response = await this.request<LoginResponse>('POST', '/api/auth/login', { username, password });
    this.token = response.token;
    return response;
  }

  listKeys(): Promise<KeyResponse[]> {
    return this.request('GET', '/api/keys');
  }

  createKey(request: CreateKeyRequest): Promise<CreatedKeyResponse> {
    return this.request('POST', '/api/keys', request);
  }

  listNodes(): Promise<NodeListResponse> {
    return this.request('GET', '/api/nodes?limit=1000');
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = errorBodySchema.safeParse(payload);
      throw new HubRequestError(response.status, error.success ? error.data.message : `HTTP ${response.status}`);
    }
    return payload as T;
  }
}

/** Polls until the check passes or the time is up. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}
