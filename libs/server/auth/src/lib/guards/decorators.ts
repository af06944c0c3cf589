import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOperationOptions, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { UserRole } from '@thresh/protocol';
import { ApiRoute } from '@thresh/server-core';
import type { z } from 'zod';
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

/** A route any logged-in user may read: its OpenAPI summary and 200 response. */
export const ReadRoute = (summary: string, response: z.ZodType) => applyDecorators(ApiRoute(200, summary, response), Authenticated());

/** A route only admins and operators may call: its status code, OpenAPI operation and, when it has a body, its response. */
export const WriteRoute = (status: number, operation: string | ApiOperationOptions, response?: z.ZodType) =>
  applyDecorators(ApiRoute(status, operation, response), Authenticated('admin', 'operator'));

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
