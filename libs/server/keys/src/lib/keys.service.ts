import { Injectable } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AuthUser, CredentialsService, KeyRecord } from '@thresh/server-auth';
import { AppException } from '@thresh/server-core';
import { CreatedKeyResponse, CreateKeyRequest, CREDENTIAL_PREFIX, IssuableKeyType, KeyResponse } from '@thresh/protocol';

const ISSUABLE: IssuableKeyType[] = ['agent', 'midtier'];
/** How long a rotated key keeps working beside its successor. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

function mapKey(key: KeyRecord, account: string): KeyResponse {
  return {
    id: key.id,
    name: key.name,
    type: key.type as IssuableKeyType,
    prefix: `${CREDENTIAL_PREFIX[key.type]}${account}_${key.lookupId.slice(0, 4)}`,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class KeysService {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
  ) {}

  async create(user: AuthUser, request: CreateKeyRequest): Promise<CreatedKeyResponse> {
    const created = await this.issue(user, request);
    await this.record(user, 'key.create', created, { type: created.type, name: created.name });
    return created;
  }

  private async issue(user: AuthUser, request: CreateKeyRequest): Promise<CreatedKeyResponse> {
    const { record, plaintext } = await this.credentials.issue({
      kind: request.type,
      accountId: user.accountId,
      account: user.account,
      name: request.name,
      expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
    });
    return { ...mapKey(record, user.account), key: plaintext };
  }

  async list(user: AuthUser): Promise<KeyResponse[]> {
    const keys = await this.credentials.listKeys(user.accountId, ISSUABLE);
    return keys.map((key) => mapKey(key, user.account));
  }

  async revoke(user: AuthUser, id: string): Promise<KeyResponse> {
    const key = await this.findIssuable(user, id);
    await this.credentials.revoke(key);
    const revoked = mapKey((await this.credentials.findKey(user.accountId, id)) ?? key, user.account);
    await this.record(user, 'key.revoke', revoked, { type: revoked.type, name: revoked.name });
    return revoked;
  }

  async rotate(user: AuthUser, id: string): Promise<CreatedKeyResponse> {
    const old = await this.findIssuable(user, id);
    if (old.revokedAt) throw new AppException('conflict', `Key ${id} is already revoked`);
    if (old.expiresAt && old.expiresAt <= new Date()) {
      throw new AppException('conflict', `Key ${id} has expired; create a new key instead`);
    }
    const successor = await this.issue(user, {
      type: old.type as IssuableKeyType,
      name: old.name,
      expiresAt: old.expiresAt?.toISOString(),
    });
    const oldStopsAt = new Date(Date.now() + ROTATION_OVERLAP_MS);
    await this.credentials.revoke(old, oldStopsAt);
    await this.record(user, 'key.rotate', mapKey(old, user.account), { successor: successor.id, oldStopsAt: oldStopsAt.toISOString() });
    return successor;
  }

  private record(user: AuthUser, action: 'key.create' | 'key.revoke' | 'key.rotate', key: KeyResponse, details: Record<string, unknown>) {
    return this.audit.recordBy(user, action, `${key.prefix} (${key.id})`, details);
  }

  private async findIssuable(user: AuthUser, id: string): Promise<KeyRecord> {
    const key = await this.credentials.findKey(user.accountId, id);
    if (!key || !ISSUABLE.includes(key.type as IssuableKeyType)) throw new AppException('not_found', `No key with id ${id}`);
    return key;
  }
}
