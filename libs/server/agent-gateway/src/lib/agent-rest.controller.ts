import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { AppException, ZodValidationPipe } from '@thresh/server-core';
import {
  AGENT_SESSION_HEADER,
  AgentCommandUpdate,
  agentCommandUpdateSchema,
  AgentIdentity,
  AgentPollQuery,
  agentPollQuerySchema,
  AgentPollResponse,
  AgentRegistration,
  agentRegistrationSchema,
  agentUnregisterSchema,
  MetricsReport,
  metricsReportSchema,
  RegisteredNode,
} from '@thresh/protocol';
import type { Request, Response } from 'express';
import { AgentKeyGuard, bearer, CurrentAgent } from './agent-key.guard';
import { AgentSessions } from './agent-sessions.service';
import { AgentUplink } from './agent-uplink';

/** Fires when the client hangs up before its answer: a long poll then leaves what waits for the next one. */
function hangUpOf(response: Response): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * The agent protocol over plain HTTP (see AGENT_REST_PREFIX in the protocol), for an agent that cannot hold a
 * WebSocket: the same key check, acknowledgements and de-duplication as the socket.
 */
@ApiExcludeController()
// Thousands of agents may share an address behind NAT; bad keys are limited per address by AgentAuthService.
@SkipThrottle()
@UseGuards(AgentKeyGuard)
@Controller('agent')
export class AgentRestController {
  constructor(
    private readonly uplink: AgentUplink,
    private readonly sessions: AgentSessions,
  ) {}

  @Post('register')
  @HttpCode(200)
  async register(
    @CurrentAgent() identity: AgentIdentity,
    @Req() request: Request,
    @Body(new ZodValidationPipe(agentRegistrationSchema)) registration: AgentRegistration,
  ): Promise<RegisteredNode> {
    const connectionId = this.sessions.newPollingConnectionId();
    const pending = this.sessions.beginRegistration(identity, registration.agentId);
    try {
      const registered = await this.uplink.registerNode(identity, bearer(request.headers.authorization) ?? '', connectionId, registration, request.ip ?? 'unknown');
      const claimable = !registered.nodeCredential && !registration.nodeCredential;
      const session = this.sessions.openPolling(identity, registration.agentId, connectionId, claimable, pending);
      return { ...registered, session: session.token };
    } finally {
      pending.end();
    }
  }

  @Post('metrics')
  @HttpCode(200)
  async metrics(
    @CurrentAgent() identity: AgentIdentity,
    @Headers(AGENT_SESSION_HEADER) token: string | undefined,
    @Body(new ZodValidationPipe(metricsReportSchema)) report: MetricsReport,
  ): Promise<{ accepted: number }> {
    const session = this.sessions.pollingSession(identity, report.agentId, token);
    if (session.reporting) throw new AppException('conflict', 'A report from this agent is still being stored; wait for its answer');
    session.reporting = true;
    try {
      await this.uplink.storeMetrics(identity, report.agentId, report.samples);
    } finally {
      session.reporting = false;
    }
    return { accepted: report.samples.length };
  }

  @Get('commands')
  async commands(
    @CurrentAgent() identity: AgentIdentity,
    @Headers(AGENT_SESSION_HEADER) token: string | undefined,
    @Query(new ZodValidationPipe(agentPollQuerySchema)) query: AgentPollQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AgentPollResponse> {
    return this.sessions.poll(this.sessions.pollingSession(identity, query.agentId, token), query.wait, hangUpOf(response));
  }

  @Post('command-updates')
  @HttpCode(200)
  async commandUpdate(
    @CurrentAgent() identity: AgentIdentity,
    @Headers(AGENT_SESSION_HEADER) token: string | undefined,
    @Body(new ZodValidationPipe(agentCommandUpdateSchema)) body: AgentCommandUpdate,
  ): Promise<{ accepted: boolean }> {
    this.sessions.pollingSession(identity, body.agentId, token);
    return this.uplink.commandUpdate(identity, body.agentId, body.update);
  }

  /** Acts on the caller's own session only: naming another node's agent id is refused like any other request. */
  @Post('unregister')
  @HttpCode(204)
  async unregister(
    @CurrentAgent() identity: AgentIdentity,
    @Headers(AGENT_SESSION_HEADER) token: string | undefined,
    @Body(new ZodValidationPipe(agentUnregisterSchema)) body: { agentId: string },
  ): Promise<void> {
    this.sessions.closePolling(this.sessions.pollingSession(identity, body.agentId, token));
  }
}
