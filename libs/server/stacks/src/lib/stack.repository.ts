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

  /**
   * Creates the stack (`expectedCommandId` undefined) or records its new deployment, only if its latest command is
   * still the one expected: null when another deploy or stop got there first.
   */
  async saveIfLatest(
    stack: Pick<StackEntity, 'accountId' | 'name' | 'status' | 'definition' | 'nodeId' | 'nodeName' | 'commandId' | 'deployedBy'>,
    expectedCommandId: string | null | undefined,
  ): Promise<StackEntity | null> {
    if (expectedCommandId === undefined) {
      const inserted = await this.stacks.createQueryBuilder().insert().values(stack).orIgnore().execute();
      if (inserted.identifiers.filter(Boolean).length === 0) return null;
    } else {
      const updated = await this.stacks
        .createQueryBuilder()
        .update()
        .set(stack)
        .where('account_id = :accountId AND name = :name', { accountId: stack.accountId, name: stack.name })
        .andWhere('command_id IS NOT DISTINCT FROM :expected', { expected: expectedCommandId })
        .execute();
      if (!updated.affected) return null;
    }
    return this.findByName(stack.accountId, stack.name);
  }

  /** Points the stack at its new command if its latest is still the one expected; false otherwise. */
  async setCommandIfLatest(id: string, commandId: string, expectedCommandId: string | null): Promise<boolean> {
    const updated = await this.stacks
      .createQueryBuilder()
      .update()
      .set({ commandId })
      .where('id = :id', { id })
      .andWhere('command_id IS NOT DISTINCT FROM :expected', { expected: expectedCommandId })
      .execute();
    return Boolean(updated.affected);
  }

  async delete(id: string): Promise<void> {
    await this.stacks.delete({ id });
  }

  /** Every stack's latest command. */
  async commandIds(): Promise<string[]> {
    const rows = await this.stacks.find({ select: { commandId: true } });
    return rows.flatMap((row) => (row.commandId ? [row.commandId] : []));
  }
}
