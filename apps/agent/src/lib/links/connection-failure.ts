import { CERTIFICATE_PROBLEMS, codedErrorIn, messagesIn, refusesTheKey, serverRefusalIn } from '@thresh/agent-wire';
import type { LinkFailure } from './agent-link';

/** System error codes of a connection that never opened, and what to check. */
const UNREACHABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the midtier running?)',
  ENOTFOUND: 'no such host (check the host name in the URL)',
  EAI_AGAIN: 'the host name could not be looked up (is DNS reachable?)',
  EHOSTUNREACH: 'no route to the host (is it up, and the network between?)',
  ENETUNREACH: 'network unreachable (is this machine online?)',
  ETIMEDOUT: 'connection timed out (is the host up, or does a firewall drop the traffic?)',
};

const TRUST_ITS_CA = 'trust its CA with "thresh agent config set tls-ca <file>", or set tls-verify false';

/** What fixes each certificate problem, for an agent. */
function certificateFix(code: string): string {
  if (CERTIFICATE_PROBLEMS[code].untrusted) return TRUST_ITS_CA;
  if (code === 'CERT_HAS_EXPIRED') return 'renew it on the server, or set tls-verify false';
  if (code === 'CERT_NOT_YET_VALID') return "check this machine's clock, or set tls-verify false";
  return 'use a host name the certificate lists in the URL, or set tls-verify false';
}

/** Codes of other TLS failures, which name no certificate problem of their own. */
const TLS_CODE_PATTERN = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|EPROTO$)/;
/** OpenSSL's words when the first bytes back were not TLS: a plain HTTP server. */
const NOT_TLS_PATTERN = /wrong version number|packet length too long|unknown protocol/i;

/**
 * Why a connection to `host` (as "127.0.0.1:5000") failed, in words a person acts on. `cause` is what came back:
 * a refusal from the server (see ServerRefusal), or an error from Node or socket.io-client, however deeply wrapped.
 */
export function classifyConnectionFailure(cause: unknown, host: string): LinkFailure {
  const refusal = serverRefusalIn(cause);
  if (refusal) {
    // Any other answer is the server's own business (its hub away, an internal error): its words say it best.
    return refusesTheKey(refusal) ? { kind: 'refused', message: `the midtier refused the api-key: ${refusal.message}` } : { kind: 'server', message: refusal.message };
  }
  const coded = codedErrorIn(cause);
  if (coded) {
    const unreachable = UNREACHABLE_REASONS[coded.code];
    if (unreachable) return { kind: 'unreachable', message: `cannot reach ${host}: ${unreachable}` };
    const certificate = CERTIFICATE_PROBLEMS[coded.code];
    if (certificate) return { kind: 'tls', message: `TLS: the certificate of ${host} ${certificate.problem} (${coded.code}): ${certificateFix(coded.code)}` };
    if (TLS_CODE_PATTERN.test(coded.code)) {
      if (NOT_TLS_PATTERN.test(coded.message)) {
        return { kind: 'tls', message: `TLS: ${host} does not speak TLS (${coded.code}): it serves plain HTTP, so use http:// in the URL` };
      }
      return { kind: 'tls', message: `TLS: the handshake with ${host} failed (${coded.code}: ${coded.message})` };
    }
  }
  return { kind: 'network', message: `connection to ${host} failed: ${messagesIn(cause)}` };
}
