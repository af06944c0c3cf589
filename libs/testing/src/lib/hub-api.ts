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

  async login(username: string, password: string): Promise<LoginResponse> {
    const response = await this.request<LoginResponse>('POST', '/api/auth/login', { username, password });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
    this.token = response.body.token;
    return response.body;
  }

  async createKey(type: 'agent' | 'midtier', name = `${type} key`): Promise<string> {
    const response = await this.request<CreatedKeyResponse>('POST', '/api/keys', { type, name });
    if (response.status !== 201) throw new Error(`key creation failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.key;
  }

  async nodes(): Promise<NodeListResponse> {
    const response = await this.request<NodeListResponse>('GET', '/api/nodes');
    if (response.status !== 200) throw new Error(`GET /api/nodes: ${response.status}`);
    return response.body;
  }
}
