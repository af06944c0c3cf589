import { Injectable } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { StackSummary } from '@thresh/protocol';
import { StackEntity } from './stack.entity';
import { StackRepository } from './stack.repository';

function mapStack(stack: StackEntity): StackSummary {
  return {
    id: stack.id,
    name: stack.name,
    status: stack.status,
    createdAt: stack.createdAt.toISOString(),
    updatedAt: stack.updatedAt.toISOString(),
  };
}

@Injectable()
export class StacksService {
  constructor(private readonly stacks: StackRepository) {}

  async list(accountId: string): Promise<StackSummary[]> {
    return (await this.stacks.list(accountId)).map(mapStack);
  }

  async get(accountId: string, name: string): Promise<StackSummary> {
    const stack = await this.stacks.findByName(accountId, name);
    if (!stack) throw new AppException('not_found', `No stack named "${name}"`);
    return mapStack(stack);
  }
}
