import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { UserRole } from '@thresh/protocol';
import { AuthUser } from './auth-user';
import { ROLES_KEY, UserAuthGuard } from './user-auth.guard';

/** A route for logged-in users; with roles, only for those roles. */
export const Authenticated = (...roles: UserRole[]) =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(UserAuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, malformed, unknown, revoked or expired user token' }),
    ApiForbiddenResponse({ description: 'A credential of another type, or a role that may not do this' }),
  );

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
