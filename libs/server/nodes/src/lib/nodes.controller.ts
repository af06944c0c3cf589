import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
import {
  NodeListQuery,
  NodeMetricsQuery,
  nodeMetricsQuerySchema,
  NodeMetricsResponse,
  nodeMetricsResponseSchema,
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

  @Get(':idOrName/metrics')
  @Authenticated()
  @ApiOperation({ summary: "A node's samples over time: raw, or averaged per minute or hour (auto picks by range)" })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601; default: an hour before "to"' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601; default: now' })
  @ApiQuery({ name: 'resolution', required: false, enum: ['auto', 'raw', '1m', '1h'] })
  @ApiZodResponse(200, nodeMetricsResponseSchema)
  metrics(
    @CurrentUser() user: AuthUser,
    @Param('idOrName') idOrName: string,
    @Query(new ZodValidationPipe(nodeMetricsQuerySchema)) query: NodeMetricsQuery,
  ): Promise<NodeMetricsResponse> {
    return this.nodes.metrics(user.accountId, idOrName, query);
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
