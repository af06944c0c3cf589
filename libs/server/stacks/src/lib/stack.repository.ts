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

  /** Creates the stack or records its new deployment; one row per name and account. */
  async save(stack: Pick<StackEntity, 'accountId' | 'name' | 'status' | 'definition' | 'nodeId' | 'nodeName' | 'commandId' | 'deployedBy'>): Promise<StackEntity> {
    await this.stacks.upsert(stack, { conflictPaths: ['accountId', 'name'] });
    return (await this.findByName(stack.accountId, stack.name)) as StackEntity;
  }

  async setCommand(id: string, commandId: string, status: StackEntity['status']): Promise<void> {
    await this.stacks.update({ id }, { commandId, status });
  }

  async delete(id: string): Promise<void> {
    await this.stacks.delete({ id });
  }
}
