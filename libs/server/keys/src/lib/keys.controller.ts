import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodBody, ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
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
  @ApiOperation({ summary: 'Create an agent (thresh_live_) or mid-tier (thresh_mid_) key; the key is shown only here' })
  @ApiZodBody(createKeyRequestSchema)
  @ApiZodResponse(201, createdKeyResponseSchema)
  create(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(createKeyRequestSchema)) body: CreateKeyRequest,
  ): Promise<CreatedKeyResponse> {
    return this.keys.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'List agent and mid-tier keys, without their secrets' })
  @ApiZodResponse(200, keyResponseSchema.array())
  list(@CurrentUser() user: AuthUser): Promise<KeyResponse[]> {
    return this.keys.list(user);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a key at once' })
  @ApiZodResponse(200, keyResponseSchema)
  revoke(@CurrentUser() user: AuthUser, @Param('id', idPipe) id: string): Promise<KeyResponse> {
    return this.keys.revoke(user, id);
  }

  @Post(':id/rotate')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue a successor; the old key keeps working for 24 hours' })
  @ApiZodResponse(201, createdKeyResponseSchema)
  rotate(@CurrentUser() user: AuthUser, @Param('id', idPipe) id: string): Promise<CreatedKeyResponse> {
    return this.keys.rotate(user, id);
  }
}
