import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { StackEntity } from './stack.entity';

@Injectable()
export class StackRepository {
  constructor(@InjectRepository(StackEntity) private readonly stacks: Repository<StackEntity>) {}

  list(accountId: string): Promise<StackEntity[]> {
    return this.stacks.find({ where: { accountId }, order: { name: 'ASC' } });
  }

  findByName(accountId: string, name: string): Promise<StackEntity | null> {
    return this.stacks.findOneBy({ accountId, name });
  }
}
