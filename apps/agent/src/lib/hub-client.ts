import { CERTIFICATE_PROBLEMS, codedErrorIn, HttpResponse, messagesIn, sendHttpRequest } from '@thresh/agent-wire';
import { errorBodySchema, withoutControlCharacters } from '@thresh/protocol';
import { rootCertificates } from 'node:tls';
import { EXIT } from './exit-codes';

/** A failed hub call, with the exit code a script can branch on. */
export class HubApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly exitCode: number,
    /** Each problem of a refused request, by field, when the hub named them. */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

function exitCodeFor(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 429) return EXIT.remote;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.remote;
}

/** Why no answer came, in words that name the fix: an untrusted certificate, an unreachable host. */
export function describeHubFailure(error: unknown, hub: string): string {
  const coded = codedErrorIn(error);
  const certificate = coded && CERTIFICATE_PROBLEMS[coded.code];
  if (coded && certificate) {
    const fix = certificate.untrusted
      ? `trust it: thresh auth login --hub ${hub} --ca <the hub's certificate, or the CA that signed it, as PEM> (remembered with the login)`
      : coded.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'give --hub a host name the certificate lists'
        : coded.code === 'CERT_HAS_EXPIRED'
          ? "renew the hub's certificate (HUB_TLS_CERT)"
          : "check this machine's clock";
    return `The hub's certificate ${certificate.problem} (${coded.code}): ${fix}`;
  }
  if (coded && /wrong version number|packet length too long/i.test(coded.message)) return `${hub} does not speak TLS: use http:// in --hub`;
  if (coded?.code === 'ECONNREFUSED') return `Cannot reach the hub at ${hub}: connection refused (is it running, and is the port right?)`;
  return `Cannot reach the hub at ${hub}: ${messagesIn(error)}`;
}

/** The hub's REST API as the CLI uses it: JSON in, JSON out, errors as HubApiError. */
export class HubClient {
  /** Node's CAs and the login's own, since a `ca` option replaces the defaults rather than adding to them. */
  private readonly ca?: string[];

  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
    /** PEM certificates the login was told to trust (--ca). */
    ca?: string,
  ) {
    this.ca = ca ? [...rootCertificates, ...(ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])] : undefined;
  }

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let url: URL;
    try {
      url = new URL(path, this.baseUrl);
    } catch {
      throw new HubApiError(`"${this.baseUrl}" is not a URL: give the hub as https://host:7200`, 0, EXIT.usage);
    }
    let response: HttpResponse;
    try {
      response = await sendHttpRequest(url, {
        method,
        body,
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
        timeoutMs: 30_000,
        rejectUnauthorized: true,
        ca: this.ca,
      });
    } catch (error) {
      throw new HubApiError(describeHubFailure(error, this.baseUrl), 0, EXIT.remote);
    }
    const text = response.body;
    let payload: unknown;
    try {
      // Strings a node supplied (hostnames, command output) reach the terminal without the escape codes that could drive it.
      payload = text ? JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? withoutControlCharacters(value, { multiline: true }) : value)) : undefined;
    } catch {
      // A proxy's error page, say: not the hub answering.
      throw new HubApiError(`${this.baseUrl} answered HTTP ${response.status} with something that is not the hub's JSON`, response.status, EXIT.remote);
    }
    if (response.status < 200 || response.status >= 300) {
      const parsed = errorBodySchema.safeParse(payload);
      const message = parsed.success ? parsed.data.message : `HTTP ${response.status}`;
      const hint = response.status === 401 ? ' (log in again: thresh auth login)' : '';
      throw new HubApiError(`${message}${hint}`, response.status, exitCodeFor(response.status), parsed.success ? (parsed.data.issues ?? []) : []);
    }
    return payload as T;
  }
}
