import { LinkFailure } from './agent-link';
import { classifyConnectionFailure } from './connection-failure';

const HOST = '127.0.0.1:5000';
const TRUST_ITS_CA = 'trust its CA with "thresh agent config set tls-ca <file>", or set tls-verify false';

/** A Node system or TLS error, as node:net, node:tls and node:https raise them. */
const nodeError = (code: string, message = `connect ${code} ${HOST}`): Error => Object.assign(new Error(message), { code });
/** Node's AggregateError of a name with several addresses (the spec build's lib predates the class). */
const aggregateError = (errors: Error[], code?: string): Error => Object.assign(new Error(''), { name: 'AggregateError', errors }, code ? { code } : {});
/** What socket.io-client emits as connect_error when the WebSocket fails: the ws ErrorEvent, holding Node's error. */
const socketIoTransportError = (cause: Error): Error =>
  Object.assign(new Error('websocket error'), { type: 'TransportError', description: { type: 'error', message: cause.message, error: cause } });

const table: [string, unknown, LinkFailure][] = [
  [
    'a refused key over a Socket.IO handshake, the server message passed through',
    Object.assign(new Error('Wrong credential type: expected an agent key (thresh_live_…), got a mid-tier key (thresh_mid_…)'), {
      data: { status: 403, code: 'forbidden' },
    }),
    {
      kind: 'refused',
      message: 'the midtier refused the api-key: Wrong credential type: expected an agent key (thresh_live_…), got a mid-tier key (thresh_mid_…)',
    },
  ],
  [
    'a refused key over REST (401)',
    { message: 'Invalid or revoked key', data: { code: 'unauthorized', status: 401 } },
    { kind: 'refused', message: 'the midtier refused the api-key: Invalid or revoked key' },
  ],
  [
    'a 403 without an error body (a proxy)',
    { message: 'POST /api/agent/register answered 403', data: { status: 403 } },
    { kind: 'refused', message: 'the midtier refused the api-key: POST /api/agent/register answered 403' },
  ],
  [
    'a midtier without its hub',
    { message: 'The hub cannot be reached', data: { code: 'hub_unavailable', status: 503 } },
    { kind: 'server', message: 'The hub cannot be reached' },
  ],
  [
    'a closed port',
    nodeError('ECONNREFUSED'),
    { kind: 'unreachable', message: 'cannot reach 127.0.0.1:5000: connection refused (is the midtier running?)' },
  ],
  [
    'a closed port, under socket.io-client',
    socketIoTransportError(nodeError('ECONNREFUSED')),
    { kind: 'unreachable', message: 'cannot reach 127.0.0.1:5000: connection refused (is the midtier running?)' },
  ],
  [
    'a closed port on every address of a name (AggregateError)',
    aggregateError([nodeError('ECONNREFUSED'), nodeError('ECONNREFUSED')], 'ECONNREFUSED'),
    { kind: 'unreachable', message: 'cannot reach 127.0.0.1:5000: connection refused (is the midtier running?)' },
  ],
  [
    'an AggregateError without a code of its own',
    aggregateError([nodeError('EHOSTUNREACH')]),
    { kind: 'unreachable', message: 'cannot reach 127.0.0.1:5000: no route to the host (is it up, and the network between?)' },
  ],
  [
    'an unknown host',
    nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND midtier.invalid'),
    { kind: 'unreachable', message: 'cannot reach 127.0.0.1:5000: no such host (check the host name in the URL)' },
  ],
  [
    'a connection that timed out',
    nodeError('ETIMEDOUT'),
    { kind: 'unreachable', message: 'cannot reach 127.0.0.1:5000: connection timed out (is the host up, or does a firewall drop the traffic?)' },
  ],
  [
    'a self-signed certificate, under socket.io-client',
    socketIoTransportError(nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')),
    {
      kind: 'tls',
      message: `TLS: the certificate of 127.0.0.1:5000 is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT): ${TRUST_ITS_CA}`,
    },
  ],
  [
    'a self-signed CA sent in the chain',
    nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
    {
      kind: 'tls',
      message: `TLS: the certificate of 127.0.0.1:5000 chains up to a self-signed CA not trusted here (SELF_SIGNED_CERT_IN_CHAIN): ${TRUST_ITS_CA}`,
    },
  ],
  [
    'a certificate of a private CA',
    nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
    {
      kind: 'tls',
      message: `TLS: the certificate of 127.0.0.1:5000 is signed by a CA not known here (UNABLE_TO_VERIFY_LEAF_SIGNATURE): ${TRUST_ITS_CA}`,
    },
  ],
  [
    'an expired certificate',
    nodeError('CERT_HAS_EXPIRED', 'certificate has expired'),
    { kind: 'tls', message: 'TLS: the certificate of 127.0.0.1:5000 has expired (CERT_HAS_EXPIRED): renew it on the server, or set tls-verify false' },
  ],
  [
    'a certificate for another name',
    nodeError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: "),
    {
      kind: 'tls',
      message:
        'TLS: the certificate of 127.0.0.1:5000 does not name this host (ERR_TLS_CERT_ALTNAME_INVALID): use a host name the certificate lists in the URL, or set tls-verify false',
    },
  ],
  [
    'https:// to a plain HTTP server',
    nodeError('EPROTO', 'write EPROTO 80EC6307257F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
    { kind: 'tls', message: 'TLS: 127.0.0.1:5000 does not speak TLS (EPROTO): it serves plain HTTP, so use http:// in the URL' },
  ],
  [
    'another TLS failure',
    nodeError('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure'),
    { kind: 'tls', message: 'TLS: the handshake with 127.0.0.1:5000 failed (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: sslv3 alert handshake failure)' },
  ],
  [
    'a connection that broke off',
    nodeError('ECONNRESET', 'socket hang up'),
    { kind: 'network', message: 'connection to 127.0.0.1:5000 failed: socket hang up' },
  ],
  [
    'a proxy refusing the WebSocket upgrade',
    socketIoTransportError(new Error('Unexpected server response: 403')),
    { kind: 'network', message: 'connection to 127.0.0.1:5000 failed: websocket error: Unexpected server response: 403' },
  ],
  ['a request deadline', new Error('no answer within 15s'), { kind: 'network', message: 'connection to 127.0.0.1:5000 failed: no answer within 15s' }],
];

describe('classifyConnectionFailure', () => {
  it.each(table)('%s', (_case, cause, expected) => {
    expect(classifyConnectionFailure(cause, HOST)).toEqual(expected);
  });
});
