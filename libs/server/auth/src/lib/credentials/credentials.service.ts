import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppException, FailureLimiter } from '@thresh/server-core';
import {
  claimedCredentialKind,
  CredentialKind,
  describeCredentialKind,
  generateCredential,
  parseCredential,
  printable,
} from '@thresh/protocol';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AUTH_OPTIONS, AuthOptions } from '../auth.options';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { CredentialEvents } from './credential-events';

export interface VerifiedCredential {
  keyId: string;
  kind: CredentialKind;
  accountId: string;
  account: string;
  userId: string | null;
}

/** A stored credential as other domains see it (never its secret's hash). */
export interface KeyRecord {
  id: string;
  accountId: string;
  userId: string | null;
  type: CredentialKind;
  name: string;
  lookupId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const toRecord = ({ account: _account, secretHash: _secretHash, ...record }: ApiKeyEntity): KeyRecord => record;

export interface IssueCredentialOptions {
  kind: CredentialKind;
  accountId: string;
  account: string;
  name: string;
  userId?: string | null;
  expiresAt?: Date | null;
}

// Writing last_used_at on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;
/** How often keys reaching their expiry or a scheduled revocation are looked for and announced. */
const LAPSE_CHECK_MS = 3_000;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

@Injectable()
export class CredentialsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Credentials');
  private readonly failures: FailureLimiter;
  private lapseTimer?: NodeJS.Timeout;
  private lapsedUntil = new Date();
  private announcing = false;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly events: CredentialEvents,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.failures = new FailureLimiter('credential checks', { failures: options.credentialFailuresPerMinute, windowSeconds: 60, blockSeconds: 60 });
  }

  onModuleInit(): void {
    this.lapseTimer = setInterval(() => void this.announceLapsedKeys(), LAPSE_CHECK_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.lapseTimer);
  }

  /** Returns the stored record and the plaintext, which is never kept. */
  async issue(options: IssueCredentialOptions): Promise<{ record: KeyRecord; plaintext: string }> {
    const plaintext = generateCredential(options.kind, options.account);
    const parsed = parseCredential(plaintext);
    if (!parsed.ok) throw new Error('generated an unparseable credential');
    const record = await this.keys.create({
      accountId: options.accountId,
      userId: options.userId ?? null,
      type: options.kind,
      name: options.name,
      lookupId: parsed.credential.lookupId,
      secretHash: hashSecret(parsed.credential.secret),
      expiresAt: options.expiresAt ?? null,
    });
    return { record: toRecord(record), plaintext };
  }

  async findKey(accountId: string, id: string): Promise<KeyRecord | null> {
    const key = await this.keys.findInAccount(accountId, id);
    return key && toRecord(key);
  }

  /** The account's credentials of these kinds, newest first. */
  async listKeys(accountId: string, kinds: CredentialKind[]): Promise<KeyRecord[]> {
    return (await this.keys.listInAccount(accountId, kinds)).map(toRecord);
  }

  /**
   * 403 for a credential of another type, 401 for anything missing, malformed, unknown, revoked or expired;
   * 429 once `limitBy` (the source, unless a midtier asks for its agents) failed too often. Failures are logged with their type, reason and source, never the secret.
   */
  async verify(raw: string | undefined, expected: CredentialKind, source = 'unknown', limitBy = source): Promise<VerifiedCredential> {
    if (!raw) throw new AppException('unauthorized', `Missing credential: expected ${describeCredentialKind(expected)}`);
    return this.failures.attempt(
      limitBy,
      () => this.check(raw, expected, new Date()),
      (error) => {
        if (!(error instanceof AppException)) return false;
        const claimed = claimedCredentialKind(raw);
        this.logger.warn(
          `rejected ${claimed ? describeCredentialKind(claimed) : 'an unrecognised credential'} where ${describeCredentialKind(expected)} was expected, from ${printable(source)}: ${error.message}`,
        );
        return true;
      },
    );
  }

  private async check(raw: string, expected: CredentialKind, now: Date): Promise<VerifiedCredential> {
    const claimed = claimedCredentialKind(raw);
    if (claimed && claimed !== expected) {
      throw new AppException('forbidden', `Wrong credential type: expected ${describeCredentialKind(expected)}, got ${describeCredentialKind(claimed)}`);
    }
    const parsed = parseCredential(raw);
    if (!parsed.ok) throw new AppException('unauthorized', `Malformed credential: expected ${describeCredentialKind(expected)}`);
    const { secret, lookupId, account } = parsed.credential;
    const record = await this.keys.findByLookupId(lookupId);
    const matches = record !== null && record.account?.slug === account && record.type === expected && timingSafeEqual(record.secretHash, hashSecret(secret));
    if (!matches || !record) throw new AppException('unauthorized', 'Unknown credential');
    if (record.revokedAt && record.revokedAt <= now) throw new AppException('unauthorized', 'Credential has been revoked');
    if (record.expiresAt && record.expiresAt <= now) throw new AppException('unauthorized', 'Credential has expired');
    this.noteUse(record, now);
    return { keyId: record.id, kind: record.type, accountId: record.accountId, account, userId: record.userId };
  }

  /** Every login token of a user stops working, e.g. when the user is disabled or the password changes. */
  async revokeUserTokens(userId: string): Promise<void> {
    for (const token of await this.keys.revokeUserTokens(userId, new Date())) this.events.revoked({ keyId: token.id, accountId: token.accountId });
  }

  /** Revokes at `at`; when that is now, the gateways hear of it at once. */
  async revoke(record: Pick<KeyRecord, 'id' | 'accountId'>, at = new Date()): Promise<void> {
    await this.keys.revoke(record.id, at);
    if (at.getTime() <= Date.now()) this.events.revoked({ keyId: record.id, accountId: record.accountId });
  }

  /** Keys whose expiry or scheduled revocation just passed are announced like an immediate revocation. */
  private async announceLapsedKeys(): Promise<void> {
    if (this.announcing) return;
    this.announcing = true;
    const until = new Date();
    try {
      for (const key of await this.keys.findLapsedBetween(this.lapsedUntil, until)) this.events.revoked({ keyId: key.id, accountId: key.accountId });
      this.lapsedUntil = until;
    } catch (error) {
      this.logger.warn(`could not look for lapsed keys: ${(error as Error).message}`);
    } finally {
      this.announcing = false;
    }
  }

  private noteUse(record: ApiKeyEntity, now: Date): void {
    if (record.lastUsedAt && now.getTime() - record.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    this.keys.touch(record.id, now).catch((error: Error) => this.logger.warn(`could not record key use: ${error.message}`));
  }
}
