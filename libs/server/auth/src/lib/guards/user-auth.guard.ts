import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppException } from '@thresh/server-core';
import type { UserRole } from '@thresh/protocol';
import { AuthUser } from './auth-user';
import type { Request } from 'express';
import { sessionCookieOf } from './session-cookie';
import { USER_TOKEN_STRATEGY } from './user-token.strategy';

export const ROLES_KEY = 'thresh:roles';

/** Authenticates the user token (a bearer token, or the dashboard's session cookie), then checks the route's roles. */
@Injectable()
export class UserAuthGuard extends AuthGuard(USER_TOKEN_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    // The CLI and CI send a bearer token; a browser its session cookie, which the bearer strategy then checks alike.
    const cookie = request.headers.authorization ? undefined : sessionCookieOf(request.headers.cookie);
    if (cookie) request.headers.authorization = `Bearer ${cookie}`;
    await super.canActivate(context);
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const user = context.switchToHttp().getRequest<{ user: AuthUser }>().user;
    if (roles?.length && !roles.includes(user.role)) {
      throw new AppException('forbidden', `This action needs the role ${roles.join(' or ')}; you are ${user.role}`);
    }
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) {
      throw new AppException('unauthorized', 'Missing credential: send "Authorization: Bearer thresh_cli_…" (from thresh auth login), or log in to the dashboard');
    }
    return user;
  }
}
