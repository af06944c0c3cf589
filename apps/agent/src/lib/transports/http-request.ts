import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  /** Checked for https:// only; false accepts any certificate (the agent's tls-verify setting). */
  rejectUnauthorized: boolean;
  /** PEM certificates to trust for https://, in place of Node's defaults; undefined keeps the defaults. */
  ca?: string[];
  agent?: HttpAgent | HttpsAgent;
  signal?: AbortSignal;
}

/** A command list with every stack service is large, but nothing the mid-tier sends comes near this. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * One request with node:http(s): global fetch cannot skip certificate checks without undici's own dispatcher.
 * Resolves with any HTTP status; rejects only when no answer came (network, timeout, abort).
 */
export function sendHttpRequest(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpResponse>((resolve, reject) => {
    const request = send(url, {
      method: options.method,
      headers: {
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        ...options.headers,
      },
      rejectUnauthorized: options.rejectUnauthorized,
      ca: options.ca,
      agent: options.agent,
      signal: options.signal,
    });
    // A whole-request deadline: a socket timeout would only measure silence, and a long poll is silent on purpose.
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000}s`)), options.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) request.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(payload);
  });
}

/** How to check the server's certificate: the agent's tls-verify, and tls-ca with the system's CAs. */
export interface TlsTrust {
  rejectUnauthorized: boolean;
  ca?: string[];
}

/** The status `<url>/health` answers with; undefined when nothing answered HTTP. */
export async function healthStatus(baseUrl: string, trust: TlsTrust, timeoutMs: number): Promise<number | undefined> {
  try {
    return (await sendHttpRequest(new URL('/health', baseUrl), { method: 'GET', timeoutMs, ...trust })).status;
  } catch {
    return undefined;
  }
}

/** Whether anything answers HTTP at `<url>/health`: any status means the host is up. */
export async function answersHttp(baseUrl: string, trust: TlsTrust, timeoutMs: number): Promise<boolean> {
  return (await healthStatus(baseUrl, trust, timeoutMs)) !== undefined;
}
