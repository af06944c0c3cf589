import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
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
  @Authenticated()
  @ApiOperation({ summary: 'Commands sent to nodes, newest first' })
  @ApiQuery({ name: 'node', required: false, description: 'Node id, name or unique id prefix' })
  @ApiQuery({ name: 'state', required: false, enum: COMMAND_STATES })
  @ApiQuery({ name: 'kind', required: false, enum: COMMAND_KINDS })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 50, maximum: 500 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', default: 0 } })
  @ApiZodResponse(200, commandListResponseSchema)
  async list(@CurrentUser() user: AuthUser, @Query(new ZodValidationPipe(commandListQuerySchema)) query: CommandListQuery): Promise<CommandListResponse> {
    const page = await this.commands.list(user.accountId, query);
    return { ...page, items: page.items.map((command) => asSeenBy(user, command)) };
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'One command: its state, steps, output and result' })
  @ApiZodResponse(200, commandResponseSchema)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CommandResponse> {
    return asSeenBy(user, await this.commands.get(user.accountId, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Cancel a command: one not yet started at once; a running one is asked to stop, and its node says how it ended' })
  @ApiZodResponse(200, commandResponseSchema)
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CommandResponse> {
    return this.commands.cancel(user, id);
  }
}
