import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/** A kept-alive connection pool shared by every REST agent: a request every few seconds should not pay a handshake. */
export function createConnectionPool(url: string, tlsVerify: boolean): HttpAgent | HttpsAgent {
  // Idle sockets beyond maxFreeSockets are closed: one per agent may sit between polls.
  const pool = { keepAlive: true, maxFreeSockets: 65_536 };
  return url.startsWith('https:') ? new HttpsAgent({ ...pool, rejectUnauthorized: tlsVerify }) : new HttpAgent(pool);
}
