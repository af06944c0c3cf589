import type { CreatedKeyResponse, LoginResponse, NodeListResponse } from '@thresh/protocol';

/** Minimal REST calls the tests use to act as an admin or a CI pipeline. */
export class HubApi {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, token = this.token): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The answer's body; any status but the one expected (a 2xx when not given) is an error. */
  async requestOk<T>(method: string, path: string, body?: unknown, status?: number): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (status ? response.status !== status : response.status < 200 || response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
    return response.body;
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const login = await this.requestOk<LoginResponse>('POST', '/api/auth/login', { username, password }, 200);
    this.token = login.token;
    return login;
  }

  async createKey(type: 'agent' | 'midtier', name = `${type} key`): Promise<string> {
    return (await this.requestOk<CreatedKeyResponse>('POST', '/api/keys', { type, name }, 201)).key;
  }

  nodes(): Promise<NodeListResponse> {
    return this.requestOk<NodeListResponse>('GET', '/api/nodes', undefined, 200);
  }
}
