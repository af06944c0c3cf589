import { codedErrorIn, FailureKind, messagesIn, refusesTheKey, serverRefusalIn } from '@thresh/agent-wire';

export interface Failure {
  kind: FailureKind;
  /** Short and free of per-agent details, so identical failures of many agents group under one line. */
  message: string;
}

const UNREACHABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the midtier or hub running?)',
  ENOTFOUND: 'no such host (check the host name in --url)',
  EAI_AGAIN: 'the host name could not be looked up',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

const TLS_CODE_PATTERN = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;
const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A message with agent and command ids replaced, so a thousand agents' identical failures count as one reason. */
export function withoutIds(message: string): string {
  return message.replace(UUID_PATTERN, '<id>');
}

/** The gateway's own refusal: a Socket.IO handshake error carries it as `data`, a REST answer as its error body. */
export function refusalFailure(message: string, code: string | undefined, status: number | undefined): Failure {
  return refusesTheKey({ message, data: { code, status } })
    ? { kind: 'refused', message: `key refused: ${withoutIds(message)}` }
    : { kind: 'server', message: withoutIds(message) };
}

/** Why a connection to `host` ("127.0.0.1:5000") failed, from whatever Node or socket.io-client raised, however wrapped. */
export function describeFailure(cause: unknown, host: string): Failure {
  const refusal = serverRefusalIn(cause);
  if (refusal) return refusalFailure(refusal.message, refusal.data.code, refusal.data.status);
  const coded = codedErrorIn(cause);
  if (coded) {
    const unreachable = UNREACHABLE_REASONS[coded.code];
    if (unreachable) return { kind: 'unreachable', message: `cannot reach ${host}: ${unreachable}` };
    if (TLS_CODE_PATTERN.test(coded.code)) return { kind: 'tls', message: `TLS handshake with ${host} failed (${coded.code}); --insecure skips certificate checks` };
  }
  return { kind: 'network', message: withoutIds(`connection to ${host} failed: ${messagesIn(cause)}`) };
}
