import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiRoute, ApiZodBody, ZodValidationPipe } from '@thresh/server-core';
import {
  CreatedKeyResponse,
  createdKeyResponseSchema,
  CreateKeyRequest,
  createKeyRequestSchema,
  KeyResponse,
  keyResponseSchema,
} from '@thresh/protocol';
import { KeysService } from './keys.service';

const idPipe = new ParseUUIDPipe({ version: '4' });

@ApiTags('keys')
@Controller('keys')
@Authenticated('admin')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @ApiRoute(201, 'Create an agent (thresh_live_) or mid-tier (thresh_mid_) key; the key is shown only here', createdKeyResponseSchema)
  @ApiZodBody(createKeyRequestSchema)
  create(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(createKeyRequestSchema)) body: CreateKeyRequest,
  ): Promise<CreatedKeyResponse> {
    return this.keys.create(user, body);
  }

  @Get()
  @ApiRoute(200, 'List agent and mid-tier keys, without their secrets', keyResponseSchema.array())
  list(@CurrentUser() user: AuthUser): Promise<KeyResponse[]> {
    return this.keys.list(user);
  }

  @Delete(':id')
  @ApiRoute(200, 'Revoke a key at once', keyResponseSchema)
  revoke(@CurrentUser() user: AuthUser, @Param('id', idPipe) id: string): Promise<KeyResponse> {
    return this.keys.revoke(user, id);
  }

  @Post(':id/rotate')
  @ApiRoute(201, 'Issue a successor; the old key keeps working for 24 hours', createdKeyResponseSchema)
  rotate(@CurrentUser() user: AuthUser, @Param('id', idPipe) id: string): Promise<CreatedKeyResponse> {
    return this.keys.rotate(user, id);
  }
}
