/**
 * Why an exchange with the gateway failed:
 * - `unreachable`: no TCP connection at all (port closed, unknown host);
 * - `network`: connected, but nothing usable came back (a reset, a timeout, a proxy without WebSockets);
 * - `tls`: the TLS handshake failed;
 * - `refused`: the gateway answered and refused the key;
 * - `server`: the gateway answered but could not serve (its hub away, an internal error).
 */
export type FailureKind = 'unreachable' | 'network' | 'tls' | 'refused' | 'server';

export interface Failure {
  kind: FailureKind;
  /** Short and free of per-agent details, so identical failures of many agents group under one line. */
  message: string;
}

/** A refused key or a TLS problem needs a person: no agent will get further by trying again. */
export function needsConfigurationFix(kind: FailureKind): boolean {
  return kind === 'refused' || kind === 'tls';
}

const UNREACHABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the midtier or hub running?)',
  ENOTFOUND: 'no such host (check the host name in --url)',
  EAI_AGAIN: 'the host name could not be looked up',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

const REFUSED_KEY_CODES: readonly string[] = ['unauthorized', 'forbidden'];
const REFUSED_KEY_STATUSES: readonly number[] = [401, 403];
const TLS_CODE_PATTERN = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;
/** Where socket.io-client and Node keep the error underneath: a transport error's description, an event's error, a cause. */
const WRAPPED_ERROR_KEYS = ['description', 'error', 'cause', 'errors'] as const;
const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A message with agent and command ids replaced, so a thousand agents' identical failures count as one reason. */
export function withoutIds(message: string): string {
  return message.replace(UUID_PATTERN, '<id>');
}

/** The gateway's own refusal: a Socket.IO handshake error carries it as `data`, a REST answer as its error body. */
export function refusalFailure(message: string, code: string | undefined, status: number | undefined): Failure {
  const keyRefused = (code !== undefined && REFUSED_KEY_CODES.includes(code)) || (status !== undefined && REFUSED_KEY_STATUSES.includes(status));
  return keyRefused ? { kind: 'refused', message: `key refused: ${withoutIds(message)}` } : { kind: 'server', message: withoutIds(message) };
}

/** Why a connection to `host` ("127.0.0.1:5000") failed, from whatever Node or socket.io-client raised, however wrapped. */
export function describeFailure(cause: unknown, host: string): Failure {
  if (isObject(cause) && isObject(cause['data']) && typeof cause['message'] === 'string') {
    const data = cause['data'];
    return refusalFailure(cause['message'], stringField(data, 'code'), numberField(data, 'status'));
  }
  const layers = unwrap(cause);
  const coded = layers.find((layer) => typeof layer['code'] === 'string');
  if (coded) {
    const code = String(coded['code']);
    const unreachable = UNREACHABLE_REASONS[code];
    if (unreachable) return { kind: 'unreachable', message: `cannot reach ${host}: ${unreachable}` };
    if (TLS_CODE_PATTERN.test(code)) return { kind: 'tls', message: `TLS handshake with ${host} failed (${code}); --insecure skips certificate checks` };
  }
  const messages = layers.map((layer) => layer['message']).filter((message): message is string => typeof message === 'string' && message.length > 0);
  const unique = messages.filter((message, index) => !messages.slice(0, index).some((earlier) => earlier.includes(message)));
  return { kind: 'network', message: withoutIds(`connection to ${host} failed: ${unique.join(': ') || String(cause)}`) };
}

/** Breadth first through the wrappers, bounded so that a cycle cannot loop. */
function unwrap(cause: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const queue: unknown[] = [cause];
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

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function numberField(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' ? value : undefined;
}
