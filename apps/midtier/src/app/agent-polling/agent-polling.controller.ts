import { Body, Controller, Get, Headers, HttpCode, Ip, Post, Query } from '@nestjs/common';
import { AppException, ZodValidationPipe } from '@thresh/server-core';
import { AgentCommand, AgentCommandUpdate, agentCommandUpdateSchema, pendingCommandsRequestSchema } from '@thresh/protocol';
import { z } from 'zod';
import { AgentAuthService } from '../agents/agent-auth.service';
import { HubLinkService } from '../hub-link/hub-link.service';

const bearer = (authorization: string | undefined) => /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];

/**
 * Commands over plain HTTP, for an agent that cannot hold a WebSocket: it polls for what waits for it and posts what
 * became of it, under the same rules as the socket (same key check, outcome accepted once).
 */
@Controller('agent')
export class AgentPollingController {
  constructor(
    private readonly auth: AgentAuthService,
    private readonly hub: HubLinkService,
  ) {}

  @Get('commands')
  async pending(
    @Headers('authorization') authorization: string | undefined,
    @Ip() address: string,
    @Query(new ZodValidationPipe(pendingCommandsRequestSchema)) query: z.infer<typeof pendingCommandsRequestSchema>,
  ): Promise<{ commands: AgentCommand[] }> {
    await this.auth.authenticate(bearer(authorization), address);
    const result = await this.hub.request('commands:pending', query);
    if (!result.ok) throw new AppException(result.error.code, result.error.message);
    return { commands: result.commands };
  }

  @Post('command-updates')
  @HttpCode(200)
  async update(
    @Headers('authorization') authorization: string | undefined,
    @Ip() address: string,
    @Body(new ZodValidationPipe(agentCommandUpdateSchema)) body: AgentCommandUpdate,
  ): Promise<{ accepted: boolean }> {
    await this.auth.authenticate(bearer(authorization), address);
    const result = await this.hub.request('command:update', body);
    if (!result.ok) throw new AppException(result.error.code, result.error.message);
    return { accepted: result.accepted };
  }
}
