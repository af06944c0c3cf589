import { sendHttpRequest } from '@thresh/agent-wire';

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
