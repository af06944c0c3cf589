import { describeHubFailure } from './hub-client';

/** An error as Node's TLS and net layers raise it, under fetch-style wrapping. */
const failure = (code: string, message = code) => Object.assign(new Error('request failed'), { cause: Object.assign(new Error(message), { code }) });

describe('describeHubFailure', () => {
  const hub = 'https://hub.example.com:7200';

  it('names the certificate problem and the fix, for each way a certificate is not trusted', () => {
    expect(describeHubFailure(failure('DEPTH_ZERO_SELF_SIGNED_CERT'), hub)).toBe(
      `The hub's certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT): trust it: thresh auth login --hub ${hub} --ca <the hub's certificate, or the CA that signed it, as PEM> (remembered with the login)`,
    );
    expect(describeHubFailure(failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), hub)).toMatch(/is signed by a CA not known here .*--ca/);
    expect(describeHubFailure(failure('CERT_HAS_EXPIRED'), hub)).toBe("The hub's certificate has expired (CERT_HAS_EXPIRED): renew the hub's certificate (HUB_TLS_CERT)");
    expect(describeHubFailure(failure('ERR_TLS_CERT_ALTNAME_INVALID'), hub)).toBe(
      "The hub's certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID): give --hub a host name the certificate lists",
    );
  });

  it('tells a plain HTTP hub and a closed port apart from certificate problems', () => {
    expect(describeHubFailure(failure('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), hub)).toBe(`${hub} does not speak TLS: use http:// in --hub`);
    expect(describeHubFailure(failure('ECONNREFUSED'), hub)).toBe(`Cannot reach the hub at ${hub}: connection refused (is it running, and is the port right?)`);
  });
});
