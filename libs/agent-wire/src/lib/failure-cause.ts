/**
 * Why a connection to a gateway failed:
 * - `unreachable`: no TCP connection at all (port closed, unknown host, no route);
 * - `network`: connected, but nothing usable came back (a proxy that lets no WebSocket through, a reset, a timeout);
 * - `tls`: the TLS handshake failed (a certificate not trusted, a server that does not speak TLS);
 * - `refused`: the gateway answered and refused the key (wrong type, revoked);
 * - `server`: the gateway answered but could not serve (its hub unreachable, an internal error).
 */
export type FailureKind = 'unreachable' | 'network' | 'tls' | 'refused' | 'server';

/** Node's certificate verification codes, as what is wrong with the certificate (each caller names its own fix). */
export const CERTIFICATE_PROBLEMS: Readonly<Record<string, { problem: string; untrusted: boolean }>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: { problem: 'is self-signed', untrusted: true },
  SELF_SIGNED_CERT_IN_CHAIN: { problem: 'chains up to a self-signed CA not trusted here', untrusted: true },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { problem: 'is signed by a CA not known here', untrusted: true },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { problem: 'is signed by a CA not known here', untrusted: true },
  UNABLE_TO_GET_ISSUER_CERT: { problem: 'is signed by a CA not known here', untrusted: true },
  CERT_HAS_EXPIRED: { problem: 'has expired', untrusted: false },
  CERT_NOT_YET_VALID: { problem: 'is not valid yet', untrusted: false },
  ERR_TLS_CERT_ALTNAME_INVALID: { problem: 'does not name this host', untrusted: false },
};

/** A refused key or an untrusted certificate needs a person: trying again soon, or another server, will not help. */
export function needsConfigurationFix(kind: FailureKind): boolean {
  return kind === 'refused' || kind === 'tls';
}

/** A server that answered and said no: Socket.IO hands its handshake refusal over as `data`, REST as the error body. */
export interface ServerRefusal {
  message: string;
  data: { code?: string; status?: number };
}

export interface CodedError {
  code: string;
  message: string;
}

const REFUSED_KEY_CODES: readonly string[] = ['unauthorized', 'forbidden'];
const REFUSED_KEY_STATUSES: readonly number[] = [401, 403];

/** Where socket.io-client and Node keep the error underneath: a transport error's description, an event's error, a cause. */
const WRAPPED_ERROR_KEYS = ['description', 'error', 'cause', 'errors'] as const;

/** Whether a refusal is about the key (no retry helps) rather than the server's own trouble. */
export function refusesTheKey(refusal: ServerRefusal): boolean {
  const { code, status } = refusal.data;
  return (code !== undefined && REFUSED_KEY_CODES.includes(code)) || (status !== undefined && REFUSED_KEY_STATUSES.includes(status));
}

/** The server's refusal, when that is what failed. */
export function serverRefusalIn(cause: unknown): ServerRefusal | undefined {
  if (!isObject(cause) || !isObject(cause['data']) || typeof cause['message'] !== 'string') return undefined;
  const data = cause['data'];
  return {
    message: cause['message'],
    data: {
      code: typeof data['code'] === 'string' ? data['code'] : undefined,
      status: typeof data['status'] === 'number' ? data['status'] : undefined,
    },
  };
}

/** The outermost error with a string `code` (ECONNREFUSED, CERT_HAS_EXPIRED…), searched breadth first through the wrappers. */
export function codedErrorIn(cause: unknown): CodedError | undefined {
  for (const candidate of errorLayers(cause)) {
    if (typeof candidate['code'] === 'string') {
      return { code: candidate['code'], message: typeof candidate['message'] === 'string' ? candidate['message'] : '' };
    }
  }
  return undefined;
}

/** "websocket error: Unexpected server response: 403": each wrapper's message that adds something. */
export function messagesIn(cause: unknown): string {
  const messages: string[] = [];
  for (const candidate of errorLayers(cause)) {
    const message = candidate['message'];
    if (typeof message === 'string' && message && !messages.some((seen) => seen.includes(message))) messages.push(message);
  }
  return messages.join(': ') || String(cause);
}

function errorLayers(cause: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const queue: unknown[] = [cause];
  // A few levels are all the wrapping there is; the bound keeps a cycle from looping.
  while (queue.length > 0 && found.length < 16) {
    const next = queue.shift();
    if (!isObject(next) || found.includes(next)) continue;
    found.push(next);
    for (const key of WRAPPED_ERROR_KEYS) {
      const inner = next[key];
      if (Array.isArray(inner)) queue.push(...inner);
      else queue.push(inner);
    }
  }
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
