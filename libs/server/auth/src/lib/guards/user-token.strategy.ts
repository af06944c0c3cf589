import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-http-bearer';
import { UsersService } from '../users/users.service';
import { AuthUser } from './auth-user';

export const USER_TOKEN_STRATEGY = 'thresh-user-token';

@Injectable()
export class UserTokenStrategy extends PassportStrategy(Strategy, USER_TOKEN_STRATEGY) {
  constructor(private readonly users: UsersService) {
    super({ passReqToCallback: true });
  }

  validate(request: Request, token: string): Promise<AuthUser> {
    return this.users.authenticate(token, request.ip);
  }
}
