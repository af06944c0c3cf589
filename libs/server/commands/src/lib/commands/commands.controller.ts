import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReadRoute, WriteRoute } from '@thresh/server-auth';
import { ZodValidationPipe } from '@thresh/server-core';
import {
  COMMAND_KINDS,
  COMMAND_STATES,
  CommandListQuery,
  commandListQuerySchema,
  CommandListResponse,
  commandListResponseSchema,
  CommandResponse,
  commandResponseSchema,
  payloadWithoutSecrets,
} from '@thresh/protocol';
import { CommandsService } from './commands.service';

/** Viewers see a command without the secrets its payload may carry (a stack's environment values). */
const asSeenBy = (user: AuthUser, command: CommandResponse): CommandResponse =>
  user.role === 'viewer' ? { ...command, payload: payloadWithoutSecrets(command.kind, command.payload) } : command;

@ApiTags('commands')
@Controller('commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Get()
  @ReadRoute('Commands sent to nodes, newest first', commandListResponseSchema)
  @ApiQuery({ name: 'node', required: false, description: 'Node id, name or unique id prefix' })
  @ApiQuery({ name: 'state', required: false, enum: COMMAND_STATES })
  @ApiQuery({ name: 'kind', required: false, enum: COMMAND_KINDS })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 50, maximum: 500 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', default: 0 } })
  async list(@CurrentUser() user: AuthUser, @Query(new ZodValidationPipe(commandListQuerySchema)) query: CommandListQuery): Promise<CommandListResponse> {
    const page = await this.commands.list(user.accountId, query);
    return { ...page, items: page.items.map((command) => asSeenBy(user, command)) };
  }

  @Get(':id')
  @ReadRoute('One command: its state, steps, output and result', commandResponseSchema)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CommandResponse> {
    return asSeenBy(user, await this.commands.get(user.accountId, id));
  }

  @Post(':id/cancel')
  @WriteRoute(200, 'Cancel a command: one not yet started at once; a running one is asked to stop, and its node says how it ended', commandResponseSchema)
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CommandResponse> {
    return this.commands.cancel(user, id);
  }
}
