import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
import {
  NodeListQuery,
  nodeListQuerySchema,
  NodeListResponse,
  nodeListResponseSchema,
  NodeResponse,
  nodeResponseSchema,
} from '@thresh/protocol';
import { NodesService } from './nodes.service';

@ApiTags('nodes')
@Controller('nodes')
@Authenticated()
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  @ApiOperation({ summary: 'List nodes with their status, last report, platform and agent version' })
  @ApiQuery({ name: 'status', required: false, enum: ['online', 'offline'] })
  @ApiQuery({ name: 'name', required: false, description: 'Substring of the node name' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 100, maximum: 1000 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', default: 0 } })
  @ApiZodResponse(200, nodeListResponseSchema)
  list(
    @CurrentUser() user: AuthUser,
    @Query(new ZodValidationPipe(nodeListQuerySchema)) query: NodeListQuery,
  ): Promise<NodeListResponse> {
    return this.nodes.list(user.accountId, query);
  }

  @Get(':idOrName')
  @ApiOperation({ summary: 'One node, by id or by name' })
  @ApiZodResponse(200, nodeResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeResponse> {
    return this.nodes.get(user.accountId, idOrName);
  }
}
