import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { UserRole } from '@thresh/protocol';
import { Repository } from 'typeorm';
import { UserEntity } from './user.entity';

@Injectable()
export class UserRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { username }, relations: { account: true } });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id }, relations: { account: true } });
  }

  findInAccount(accountId: string, id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ accountId, id });
  }

  listInAccount(accountId: string): Promise<UserEntity[]> {
    return this.users.find({ where: { accountId }, order: { username: 'ASC' } });
  }

  async update(id: string, changes: Partial<Pick<UserEntity, 'role' | 'disabledAt' | 'passwordHash'>>): Promise<void> {
    await this.users.update({ id }, changes);
  }

  countInAccount(accountId: string): Promise<number> {
    return this.users.countBy({ accountId });
  }

  /** Returns false when the username is taken, so concurrent bootstraps create one admin. */
  async insertIfAbsent(user: { accountId: string; username: string; passwordHash: string; role: UserRole }): Promise<boolean> {
    const result = await this.users.createQueryBuilder().insert().values(user).orIgnore().returning('id').execute();
    return result.raw.length > 0;
  }
}
