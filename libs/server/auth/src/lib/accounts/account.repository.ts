import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccountEntity } from './account.entity';

@Injectable()
export class AccountRepository {
  constructor(@InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>) {}

  /** Safe when several hub replicas boot at once. */
  async ensure(slug: string, name: string): Promise<AccountEntity> {
    await this.accounts
      .createQueryBuilder()
      .insert()
      .values({ slug, name })
      .orIgnore()
      .execute();
    return this.accounts.findOneByOrFail({ slug });
  }

  findBySlug(slug: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ slug });
  }

  list(): Promise<Pick<AccountEntity, 'id' | 'slug'>[]> {
    return this.accounts.find({ select: { id: true, slug: true } });
  }
}
