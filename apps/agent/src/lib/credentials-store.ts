import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from './files';
import { threshHome } from './paths';

/** Who this CLI acts as: the hub and a user token, kept in $THRESH_HOME/credentials.json with mode 0600. */
export interface StoredCredentials {
  hub: string;
  token: string;
  username?: string;
  expiresAt?: string;
  /** PEM certificates to trust for this hub (login --ca): its self-signed certificate, or a private CA. */
  ca?: string;
}

export const credentialsPath = () => join(threshHome(), 'credentials.json');

export function readCredentials(): StoredCredentials | undefined {
  return readJsonFile<StoredCredentials>(credentialsPath());
}

export function saveCredentials(credentials: StoredCredentials): void {
  writeFileAtomic(credentialsPath(), `${JSON.stringify(credentials, null, 2)}\n`, 0o600);
}

export function clearCredentials(): void {
  rmSync(credentialsPath(), { force: true });
}

/**
 * THRESH_TOKEN and THRESH_HUB win over the stored login, for CI pipelines. The stored token only ever goes to the
 * hub it came from: --hub pointing elsewhere gets no token.
 */
export function resolveCredentials(hubFlag?: string): { hub?: string; token?: string; ca?: string } {
  const stored = readCredentials();
  const hub = hubFlag || process.env['THRESH_HUB'] || stored?.hub;
  const sameHub = stored && hub === stored.hub;
  return { hub, token: process.env['THRESH_TOKEN'] || (sameHub ? stored.token : undefined), ca: sameHub ? stored.ca : undefined };
}
