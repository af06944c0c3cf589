import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** For the whole exchange, answer included. */
  timeoutMs: number;
  /** Checked for https:// only; false accepts any certificate. */
  rejectUnauthorized: boolean;
  /** PEM certificates to trust for https://, in place of Node's defaults; undefined keeps the defaults. */
  ca?: string[];
  agent?: HttpAgent | HttpsAgent;
  signal?: AbortSignal;
  /** An answer beyond this many bytes is cut off as an error (default 16 MiB: a command list with every stack service). */
  maxResponseBytes?: number;
}

/** A body's JSON, or undefined when it is none (a proxy's HTML page, say). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * One JSON request over node:http(s): global fetch cannot skip certificate checks without undici's own dispatcher.
 * Resolves with any HTTP status; rejects only when no answer came (network, timeout, abort).
 */
export function sendHttpRequest(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
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
    const fail = (error: Error) => {
      clearTimeout(deadline);
      reject(error);
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) request.destroy(new Error(`answer larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(payload);
  });
}

/** Kept-alive connections: a client asking every few seconds should not pay a TCP and TLS handshake each time. */
export function connectionPool(url: string, tls: { rejectUnauthorized: boolean; ca?: string[] }, maxFreeSockets?: number): HttpAgent | HttpsAgent {
  const pool = { keepAlive: true, ...(maxFreeSockets === undefined ? {} : { maxFreeSockets }) };
  return url.startsWith('https:') ? new HttpsAgent({ ...pool, ...tls }) : new HttpAgent(pool);
}
