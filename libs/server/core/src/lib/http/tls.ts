import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** `TRUST_PROXY`: true, a hop count, or addresses and subnets as Express takes them ("loopback", "10.0.0.0/8"). */
export const trustProxySchema = z
  .string()
  .min(1)
  .transform((value) => (value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value))
  .optional();

export interface TlsFiles {
  cert?: string;
  key?: string;
  /** TLS ends at a reverse proxy in front: serve plain HTTP whatever files are given. */
  disabled: boolean;
}

/**
 * The certificate and key to serve HTTPS with, read from their files; undefined for plain HTTP (none given, or
 * HTTPS disabled). Throws a message naming the variable at fault.
 */
export function httpsOptionsOf(prefix: 'HUB' | 'MIDTIER', files: TlsFiles): { cert: Buffer; key: Buffer; handshakeTimeout: number } | undefined {
  if (files.disabled || (!files.cert && !files.key)) return undefined;
  if (!files.cert || !files.key) {
    throw new Error(`${prefix}_TLS_CERT and ${prefix}_TLS_KEY go together: give both for HTTPS, or neither (or ${prefix}_DISABLE_HTTPS=true) for HTTP`);
  }
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  // A TLS handshake left half done is closed after 10 s, not Node's 120.
  return { cert: read(`${prefix}_TLS_CERT`, files.cert), key: read(`${prefix}_TLS_KEY`, files.key), handshakeTimeout: 10_000 };
}
