/** Credential format shared by every tier: `thresh_<type>_<account>_<secret><checksum>`. */

export const CREDENTIAL_KINDS = ['agent', 'midtier', 'user', 'node'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const CREDENTIAL_PREFIX: Record<CredentialKind, string> = {
  agent: 'thresh_live_',
  midtier: 'thresh_mid_',
  user: 'thresh_cli_',
  node: 'thresh_node_',
};

const KIND_BY_TYPE: Record<string, CredentialKind> = { live: 'agent', mid: 'midtier', cli: 'user', node: 'node' };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 32 base62 characters carry about 190 bits of randomness. */
export const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
/** The part of the secret stored in clear so a key can be found and shown ("thresh_live_acme_Ab3dE9xY..."). */
export const LOOKUP_ID_LENGTH = 8;
export const ACCOUNT_SLUG_PATTERN = /^[a-z0-9]{1,32}$/;

const KEY_PATTERN = new RegExp(
  `^thresh_(live|mid|cli|node)_([a-z0-9]{1,32})_([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

export interface ParsedCredential {
  kind: CredentialKind;
  account: string;
  /** Secret without its checksum tail: this is what gets hashed. */
  secret: string;
  lookupId: string;
}

export type CredentialParseResult =
  | { ok: true; credential: ParsedCredential }
  | { ok: false; reason: 'malformed' | 'bad_checksum' };

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** The checksum tail lets anyone tell a real key from a typo offline, as secret scanners do. */
export function credentialChecksum(body: string): string {
  return toBase62(crc32(body), CHECKSUM_LENGTH);
}

function randomBase62(length: number): string {
  const out: string[] = [];
  const buffer = new Uint8Array(length * 2);
  while (out.length < length) {
    globalThis.crypto.getRandomValues(buffer);
    for (const byte of buffer) {
      // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
      if (byte < 248 && out.length < length) out.push(BASE62[byte % 62]);
    }
  }
  return out.join('');
}

export function generateCredential(kind: CredentialKind, account: string): string {
  if (!ACCOUNT_SLUG_PATTERN.test(account)) throw new Error(`invalid account slug "${account}"`);
  const body = `${CREDENTIAL_PREFIX[kind]}${account}_${randomBase62(SECRET_LENGTH)}`;
  return body + credentialChecksum(body);
}

export function parseCredential(value: string): CredentialParseResult {
  const match = KEY_PATTERN.exec(value.trim());
  if (!match) return { ok: false, reason: 'malformed' };
  const [, type, account, secret, checksum] = match;
  const body = `thresh_${type}_${account}_${secret}`;
  if (credentialChecksum(body) !== checksum) return { ok: false, reason: 'bad_checksum' };
  return {
    ok: true,
    credential: { kind: KIND_BY_TYPE[type], account, secret, lookupId: secret.slice(0, LOOKUP_ID_LENGTH) },
  };
}

/** The kind a string claims by its prefix, even when the rest is malformed. */
export function claimedCredentialKind(value: string): CredentialKind | undefined {
  return CREDENTIAL_KINDS.find((kind) => value.startsWith(CREDENTIAL_PREFIX[kind]));
}

/** A form safe to print: prefix, account and the first characters of the secret. */
export function maskCredential(value: string): string {
  const parsed = parseCredential(value);
  if (!parsed.ok) return value.length > 12 ? `${value.slice(0, 12)}…` : '…';
  const { kind, account, lookupId } = parsed.credential;
  return `${CREDENTIAL_PREFIX[kind]}${account}_${lookupId.slice(0, 4)}…`;
}

const CREDENTIAL_NAMES: Record<CredentialKind, string> = {
  agent: 'an agent key',
  midtier: 'a mid-tier key',
  user: 'a user token',
  node: 'a node credential',
};

/** "an agent key (thresh_live_…)": how error messages name a credential type. */
export function describeCredentialKind(kind: CredentialKind): string {
  return `${CREDENTIAL_NAMES[kind]} (${CREDENTIAL_PREFIX[kind]}…)`;
}
