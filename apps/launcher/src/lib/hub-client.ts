import { CreatedKeyResponse, CreateKeyRequest, errorBodySchema, KeyResponse, LoginResponse, NodeListResponse } from '@thresh/protocol';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

export class HubRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON request over HTTP or HTTPS, trusting `ca` as well (fetch cannot be told to trust a certificate). */
export function requestJson(url: URL, init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {}): Promise<{ status: number; body: unknown }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: init.method ?? 'GET', headers: init.headers, ...(init.ca ? { ca: init.ca } : {}) }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: incoming.statusCode ?? 0, body });
      });
    });
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error(`no answer from ${url.origin} within 10s`)));
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

/** The few hub API calls the launcher needs. */
export class HubClient {
  private token?: string;

  constructor(
    private readonly baseUrl: string,
    /** The local certificate, trusted as its own CA. */
    private readonly ca?: string,
  ) {}

  /** Whether the hub answers this path with 2xx. */
  async answers(path: string): Promise<boolean> {
    const { status } = await requestJson(new URL(path, this.baseUrl), { ca: this.ca });
    return status >= 200 && status < 300;
  }

  async login(username: string, password: string): Promise<void> {
    this.token = (await this.request<LoginResponse>('POST', '/api/auth/login', { username, password })).token;
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
    const response = await requestJson(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      ca: this.ca,
    });
    if (response.status < 200 || response.status >= 300) {
      const error = errorBodySchema.safeParse(response.body);
      throw new HubRequestError(response.status, error.success ? error.data.message : `HTTP ${response.status}`);
    }
    return response.body as T;
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
