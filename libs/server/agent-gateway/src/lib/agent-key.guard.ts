import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { AgentIdentity } from '@thresh/protocol';
import type { Request } from 'express';
import { AgentAuthService } from './agent-auth.service';

type AgentRequest = Request & { agentIdentity?: AgentIdentity };

export const bearer = (authorization: string | undefined) => /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];

/** Lets agent keys through, before anything reads the body: 401 or 403 comes first, as on every other route. */
@Injectable()
export class AgentKeyGuard implements CanActivate {
  constructor(private readonly auth: AgentAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AgentRequest>();
    request.agentIdentity = await this.auth.authenticate(bearer(request.headers.authorization), request.ip ?? 'unknown');
    return true;
  }
}

/** The identity AgentKeyGuard found for the request's key. */
export const CurrentAgent = createParamDecorator((_data: unknown, context: ExecutionContext): AgentIdentity => {
  return context.switchToHttp().getRequest<AgentRequest>().agentIdentity as AgentIdentity;
});
