import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
  NodeUpdate,
  nodeUpdateSchema,
} from '@thresh/protocol';
import { NodesService } from './nodes.service';

@ApiTags('nodes')
@Controller('nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'List nodes with their status, last report, platform and agent version' })
  @ApiQuery({ name: 'status', required: false, enum: ['online', 'offline'] })
  @ApiQuery({ name: 'name', required: false, description: 'Substring of the node name' })
  @ApiQuery({ name: 'cluster', required: false, description: 'Only nodes in this cluster' })
  @ApiQuery({ name: 'sort', required: false, enum: ['name', 'status', 'lastSeen', 'cpu', 'memory', 'disk'] })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
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
  @Authenticated()
  @ApiOperation({ summary: 'One node, by id or by name' })
  @ApiZodResponse(200, nodeResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeResponse> {
    return this.nodes.get(user.accountId, idOrName);
  }

  @Patch(':idOrName')
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Rename a node (a registration never renames one); 409 when the name is taken' })
  @ApiZodResponse(200, nodeResponseSchema)
  update(
    @CurrentUser() user: AuthUser,
    @Param('idOrName') idOrName: string,
    @Body(new ZodValidationPipe(nodeUpdateSchema)) body: NodeUpdate,
  ): Promise<NodeResponse> {
    return this.nodes.rename(user, idOrName, body.name);
  }

  @Post(':idOrName/reset-identity')
  @HttpCode(200)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: "Forget the node's credential: the next machine to register as this node claims it (a reinstalled machine)" })
  @ApiZodResponse(200, nodeResponseSchema)
  resetIdentity(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeResponse> {
    return this.nodes.resetIdentity(user, idOrName);
  }
}
