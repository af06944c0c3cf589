import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiZodBody, ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
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
  @ApiOperation({ summary: "List the account's users" })
  @ApiZodResponse(200, userSummarySchema.array())
  list(@CurrentUser() admin: AuthUser): Promise<UserSummary[]> {
    return this.users.list(admin);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user with a role: admin, operator or viewer' })
  @ApiZodBody(createUserRequestSchema)
  @ApiZodResponse(201, userSummarySchema)
  create(
    @CurrentUser() admin: AuthUser,
    @Body(new ZodValidationPipe(createUserRequestSchema)) body: CreateUserRequest,
  ): Promise<UserSummary> {
    return this.users.create(admin, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role or password, or disable or enable the user" })
  @ApiZodBody(updateUserRequestSchema)
  @ApiZodResponse(200, userSummarySchema)
  update(
    @CurrentUser() admin: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodValidationPipe(updateUserRequestSchema)) body: UpdateUserRequest,
  ): Promise<UserSummary> {
    return this.users.update(admin, id, body);
  }
}
