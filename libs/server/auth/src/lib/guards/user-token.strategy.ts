import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AppException } from '@thresh/server-core';
import type { Request } from 'express';
import { Strategy } from 'passport-http-bearer';
import { CredentialsService } from '../credentials/credentials.service';
import { UserRepository } from '../users/user.repository';
import { AuthUser } from './auth-user';

export const USER_TOKEN_STRATEGY = 'thresh-user-token';

@Injectable()
export class UserTokenStrategy extends PassportStrategy(Strategy, USER_TOKEN_STRATEGY) {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly users: UserRepository,
  ) {
    super({ passReqToCallback: true });
  }

  async validate(request: Request, token: string): Promise<AuthUser> {
    const credential = await this.credentials.verify(token, 'user', request.ip);
    const user = credential.userId ? await this.users.findById(credential.userId) : null;
    if (!user || user.disabledAt) throw new AppException('unauthorized', 'User is disabled or no longer exists');
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      accountId: user.accountId,
      account: credential.account,
      tokenId: credential.keyId,
      sourceAddress: request.ip ?? null,
    };
  }
}
