import { Injectable } from '@nestjs/common';
import { AuditService } from '@thresh/server-audit';
import { AppException } from '@thresh/server-core';
import { CreateUserRequest, UpdateUserRequest, UserSummary } from '@thresh/protocol';
import { CredentialsService } from '../credentials/credentials.service';
import { AuthUser } from '../guards/auth-user';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UserRepository } from './user.repository';

function mapUserSummary(user: UserEntity, account: string): UserSummary {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    account,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly credentials: CredentialsService,
  ) {}

  /** The user a login token (or session cookie) belongs to; 401 when the token does not hold or the user is disabled or gone. */
  async authenticate(token: string | undefined, source: string | undefined): Promise<AuthUser> {
    const credential = await this.credentials.verify(token, 'user', source);
    const user = credential.userId ? await this.users.findById(credential.userId) : null;
    if (!user || user.disabledAt) throw new AppException('unauthorized', 'User is disabled or no longer exists');
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      accountId: user.accountId,
      account: credential.account,
      tokenId: credential.keyId,
      sourceAddress: source ?? null,
    };
  }

  async list(admin: AuthUser): Promise<UserSummary[]> {
    return (await this.users.listInAccount(admin.accountId)).map((user) => mapUserSummary(user, admin.account));
  }

  async create(admin: AuthUser, request: CreateUserRequest): Promise<UserSummary> {
    const created = await this.users.insertIfAbsent({
      accountId: admin.accountId,
      username: request.username,
      passwordHash: await this.hasher.hash(request.password),
      role: request.role,
    });
    if (!created) throw new AppException('conflict', `The username "${request.username}" is taken`);
    const user = await this.users.findByUsername(request.username);
    if (!user) throw new AppException('internal', 'The new user could not be read back');
    await this.audit.recordBy(admin, 'user.create', user.username, { role: user.role });
    return mapUserSummary(user, admin.account);
  }

  async update(admin: AuthUser, id: string, request: UpdateUserRequest): Promise<UserSummary> {
    const user = await this.users.findInAccount(admin.accountId, id);
    if (!user) throw new AppException('not_found', `No user with id ${id}`);
    if (user.id === admin.userId && (request.disabled === true || (request.role && request.role !== 'admin'))) {
      throw new AppException('conflict', 'You cannot disable yourself or give up your own admin role');
    }
    await this.users.update(user.id, {
      ...(request.role ? { role: request.role } : {}),
      ...(request.disabled === undefined ? {} : { disabledAt: request.disabled ? new Date() : null }),
      ...(request.password ? { passwordHash: await this.hasher.hash(request.password) } : {}),
    });
    // A disabled user or a changed password ends every session; re-enabling does not bring old tokens back.
    if (request.disabled === true || request.password) await this.credentials.revokeUserTokens(user.id);
    await this.audit.recordBy(admin, 'user.update', user.username, { role: request.role, disabled: request.disabled, passwordChanged: request.password !== undefined });
    const updated = await this.users.findInAccount(admin.accountId, id);
    return mapUserSummary(updated ?? user, admin.account);
  }
}
