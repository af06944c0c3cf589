import { Body, Controller, Get, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ApiRoute, ApiZodBody, ZodValidationPipe } from '@thresh/server-core';
import {
  LoginRequest,
  loginRequestSchema,
  LoginResponse,
  loginResponseSchema,
  SessionResponse,
  sessionResponseSchema,
  UserResponse,
  userResponseSchema,
} from '@thresh/protocol';
import type { CookieOptions, Request, Response } from 'express';
import { AuthUser } from '../guards/auth-user';
import { Authenticated, CurrentUser, ReadRoute } from '../guards/decorators';
import { SESSION_COOKIE } from '../guards/session-cookie';
import { LoginService } from './login.service';

/** Sent over HTTPS only where the request came that way (the hub's own TLS, or a proxy it trusts saying so). */
const cookieOptions = (request: Request): CookieOptions => ({ httpOnly: true, secure: request.secure, sameSite: 'strict', path: '/' });

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly login: LoginService) {}

  @Post('login')
  @ApiRoute(200, 'Exchange a username and password for a thresh_cli_ user token', loginResponseSchema)
  @ApiZodBody(loginRequestSchema)
  @ApiTooManyRequestsResponse({ description: 'More than 10 failed attempts in 5 minutes from one address (see Retry-After)' })
  logIn(@Body(new ZodValidationPipe(loginRequestSchema)) body: LoginRequest, @Ip() source: string): Promise<LoginResponse> {
    return this.login.login(body, source);
  }

  @Post('session')
  @ApiRoute(200, "The dashboard's login: the token goes into an httpOnly, Secure, SameSite=Strict cookie, never to a script", sessionResponseSchema)
  @ApiZodBody(loginRequestSchema)
  @ApiTooManyRequestsResponse({ description: 'As for POST /api/auth/login' })
  async openSession(
    @Body(new ZodValidationPipe(loginRequestSchema)) body: LoginRequest,
    @Ip() source: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponse> {
    const { token, ...session } = await this.login.login(body, source);
    response.cookie(SESSION_COOKIE, token, { ...cookieOptions(request), expires: new Date(session.expiresAt) });
    return session;
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Revoke the token this request carries (a bearer token, or the dashboard session, whose cookie is cleared)' })
  async logOut(@CurrentUser() user: AuthUser, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.login.logout(user);
    response.clearCookie(SESSION_COOKIE, cookieOptions(request));
  }

  @Get('me')
  @ReadRoute('Who this token belongs to', userResponseSchema)
  me(@CurrentUser() user: AuthUser): UserResponse {
    return this.login.me(user);
  }
}
