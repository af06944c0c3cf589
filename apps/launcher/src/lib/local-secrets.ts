import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Credentials of the local system, kept in the data folder so a second start reuses them. */
export interface LocalSecrets {
  adminPassword: string;
  midtierKey?: { id: string; key: string };
  agentKey?: { id: string; key: string };
  /** The embedded PostgreSQL's password, and its port (kept, so psql finds it at the same place next time). */
  database?: { password: string; port: number };
}

export function secretsPath(dataDir: string): string {
  return join(dataDir, 'local-credentials.json');
}

export function loadOrCreateSecrets(dataDir: string, adminPassword?: string): LocalSecrets {
  let secrets: LocalSecrets | undefined;
  try {
    secrets = JSON.parse(readFileSync(secretsPath(dataDir), 'utf8')) as LocalSecrets;
  } catch {
    secrets = undefined;
  }
  const result = { ...secrets, adminPassword: adminPassword ?? secrets?.adminPassword ?? randomBytes(12).toString('base64url') };
  saveSecrets(dataDir, result);
  return result;
}

export function saveSecrets(dataDir: string, secrets: LocalSecrets): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(secretsPath(dataDir), `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
}
