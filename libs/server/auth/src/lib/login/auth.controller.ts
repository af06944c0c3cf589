import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ApiZodBody, ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
import { LoginRequest, loginRequestSchema, LoginResponse, loginResponseSchema, UserResponse, userResponseSchema } from '@thresh/protocol';
import { AuthUser } from '../guards/auth-user';
import { Authenticated, CurrentUser } from '../guards/decorators';
import { LoginService } from './login.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly login: LoginService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a username and password for a thresh_cli_ user token' })
  @ApiZodBody(loginRequestSchema)
  @ApiZodResponse(200, loginResponseSchema)
  @ApiTooManyRequestsResponse({ description: 'More than 10 failed attempts in 5 minutes from one address (see Retry-After)' })
  logIn(@Body(new ZodValidationPipe(loginRequestSchema)) body: LoginRequest, @Ip() source: string): Promise<LoginResponse> {
    return this.login.login(body, source);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Revoke the token this request carries' })
  logOut(@CurrentUser() user: AuthUser): Promise<void> {
    return this.login.logout(user);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who this token belongs to' })
  @ApiZodResponse(200, userResponseSchema)
  me(@CurrentUser() user: AuthUser): UserResponse {
    return this.login.me(user);
  }
}
