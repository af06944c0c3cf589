import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute, ApiZodBody, ZodValidationPipe } from '@thresh/server-core';
import {
  CreateUserRequest,
  createUserRequestSchema,
  UpdateUserRequest,
  updateUserRequestSchema,
  UserSummary,
  userSummarySchema,
} from '@thresh/protocol';
import { AuthUser } from '../guards/auth-user';
import { Authenticated, CurrentUser } from '../guards/decorators';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
@Authenticated('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiRoute(200, "List the account's users", userSummarySchema.array())
  list(@CurrentUser() admin: AuthUser): Promise<UserSummary[]> {
    return this.users.list(admin);
  }

  @Post()
  @ApiRoute(201, 'Create a user with a role: admin, operator or viewer', userSummarySchema)
  @ApiZodBody(createUserRequestSchema)
  create(
    @CurrentUser() admin: AuthUser,
    @Body(new ZodValidationPipe(createUserRequestSchema)) body: CreateUserRequest,
  ): Promise<UserSummary> {
    return this.users.create(admin, body);
  }

  @Patch(':id')
  @ApiRoute(200, "Change a user's role or password, or disable or enable the user", userSummarySchema)
  @ApiZodBody(updateUserRequestSchema)
  update(
    @CurrentUser() admin: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(updateUserRequestSchema)) body: UpdateUserRequest,
  ): Promise<UserSummary> {
    return this.users.update(admin, id, body);
  }
}
