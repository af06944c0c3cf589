import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodResponse } from '@thresh/server-core';
import { StackSummary, stackSummarySchema } from '@thresh/protocol';
import { StacksService } from './stacks.service';

@ApiTags('stacks')
@Controller('stacks')
@Authenticated()
export class StacksController {
  constructor(private readonly stacks: StacksService) {}

  @Get()
  @ApiOperation({ summary: 'List stacks with their status' })
  @ApiZodResponse(200, stackSummarySchema.array())
  list(@CurrentUser() user: AuthUser): Promise<StackSummary[]> {
    return this.stacks.list(user.accountId);
  }

  @Get(':name')
  @ApiZodResponse(200, stackSummarySchema)
  get(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<StackSummary> {
    return this.stacks.get(user.accountId, name);
  }
}
