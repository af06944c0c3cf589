import { Controller, Get, Param, Query } from '@nestjs/common';
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
  @ApiOperation({ summary: 'One node, by id or by name' })
  @ApiZodResponse(200, nodeResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeResponse> {
    return this.nodes.get(user.accountId, idOrName);
  }
}
