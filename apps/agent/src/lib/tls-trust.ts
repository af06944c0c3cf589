import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

const PEM_CERTIFICATE_PATTERN = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class CaBundleError extends Error {}

/** The PEM certificates in a CA bundle file; throws CaBundleError saying what is wrong with the file. */
export function readCaBundle(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaBundleError(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(error as Error).message}`);
  }
  const certificates = text.match(PEM_CERTIFICATE_PATTERN) ?? [];
  if (certificates.length === 0) throw new CaBundleError(`${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  certificates.forEach((pem, index) => {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw new CaBundleError(`certificate ${index + 1} in ${path} is not valid: ${(error as Error).message}`);
    }
  });
  return certificates;
}

/**
 * What to trust with tls-ca set: Node's CA list plus the bundle, since a `ca` option replaces the defaults rather than
 * adding to them. Undefined without tls-ca: the defaults apply (with NODE_EXTRA_CA_CERTS, if set).
 */
export function trustedCertificates(caBundlePath: string | undefined): string[] | undefined {
  if (!caBundlePath) return undefined;
  const extraPath = process.env['NODE_EXTRA_CA_CERTS'];
  // NODE_EXTRA_CA_CERTS extends the defaults only: keep trusting it once `ca` replaces them.
  const extra = extraPath ? readOptionalBundle(extraPath) : [];
  return [...rootCertificates, ...extra, ...readCaBundle(caBundlePath)];
}

function readOptionalBundle(path: string): string[] {
  try {
    return readCaBundle(path);
  } catch {
    return [];
  }
}
