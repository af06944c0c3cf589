import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** GET a JSON document over HTTP or HTTPS, trusting `ca` as well: fetch cannot be told to trust a private CA. */
export function getJson<T>(url: string, options: { ca?: string } = {}): Promise<{ status: number; body: T }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(target, { ...(options.ca ? { ca: options.ca } : {}) }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => {
        try {
          resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) as T });
        } catch (error) {
          reject(error);
        }
      });
    });
    outgoing.setTimeout(5_000, () => outgoing.destroy(new Error(`no answer from ${target.origin}`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
