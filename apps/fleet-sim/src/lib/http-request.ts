import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  rejectUnauthorized: boolean;
  agent?: HttpAgent | HttpsAgent;
  signal?: AbortSignal;
}

/** Nothing the gateway sends a simulated agent comes near this. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** A kept-alive connection pool shared by every REST agent: a request every few seconds should not pay a handshake. */
export function createConnectionPool(url: string, tlsVerify: boolean): HttpAgent | HttpsAgent {
  // Idle sockets beyond maxFreeSockets are closed: one per agent may sit between polls.
  const pool = { keepAlive: true, maxFreeSockets: 65_536 };
  return url.startsWith('https:') ? new HttpsAgent({ ...pool, rejectUnauthorized: tlsVerify }) : new HttpAgent(pool);
}

/** Resolves with any HTTP status; rejects only when no answer came (network, timeout, abort). */
export function sendHttpRequest(url: URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = send(url, {
      method: options.method,
      headers: {
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        ...options.headers,
      },
      rejectUnauthorized: options.rejectUnauthorized,
      agent: options.agent,
      signal: options.signal,
    });
    // A whole-request deadline: a socket timeout measures only silence, and a long poll is silent on purpose.
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
        if (received > MAX_ANSWER_BYTES) request.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
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

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
