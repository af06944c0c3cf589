import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { CredentialKind } from '@thresh/protocol';
import { In, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  create(values: Omit<ApiKeyEntity, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'account'>): Promise<ApiKeyEntity> {
    return this.keys.save(this.keys.create({ ...values, lastUsedAt: null, revokedAt: null }));
  }

  findByLookupId(lookupId: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOne({ where: { lookupId }, relations: { account: true } });
  }

  findInAccount(accountId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ accountId, id });
  }

  listInAccount(accountId: string, types: CredentialKind[]): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { accountId, type: In(types) }, order: { createdAt: 'DESC' } });
  }

  /** Brings revocation forward, never back: revoking a rotated key ends its overlap now. */
  async revoke(id: string, at: Date): Promise<void> {
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where('id = :id AND (revoked_at IS NULL OR revoked_at > :at)', { id, at })
      .execute();
  }

  /** Keys whose expiry or revocation time fell in (from, to]. */
  findLapsedBetween(from: Date, to: Date): Promise<Pick<ApiKeyEntity, 'id' | 'accountId'>[]> {
    return this.keys
      .createQueryBuilder('key')
      .select(['key.id', 'key.accountId'])
      // User tokens too: a dashboard's socket closes when its login expires.
      .where('((key.expires_at > :from AND key.expires_at <= :to) OR (key.revoked_at > :from AND key.revoked_at <= :to))', { from, to })
      .getMany();
  }

  /** Returns the tokens it revoked. */
  async revokeUserTokens(userId: string, at: Date): Promise<{ id: string; accountId: string }[]> {
    const result = await this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where("user_id = :userId AND type = 'user' AND (revoked_at IS NULL OR revoked_at > :at)", { userId, at })
      .returning('id, account_id')
      .execute();
    return (result.raw as { id: string; account_id: string }[]).map((row) => ({ id: row.id, accountId: row.account_id }));
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: at });
  }
}
