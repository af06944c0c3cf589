import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReadRoute } from '@thresh/server-auth';
import { ZodValidationPipe } from '@thresh/server-core';
import { NodeMetricsQuery, nodeMetricsQuerySchema, NodeMetricsResponse, nodeMetricsResponseSchema } from '@thresh/protocol';
import { NodeMetricsService } from './node-metrics.service';

@ApiTags('nodes')
@Controller('nodes')
export class NodeMetricsController {
  constructor(private readonly nodeMetrics: NodeMetricsService) {}

  @Get(':idOrName/metrics')
  @ReadRoute("A node's samples over time: raw, or averaged per minute or hour (auto picks by range)", nodeMetricsResponseSchema)
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601; default: an hour before "to"' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601; default: now' })
  @ApiQuery({ name: 'resolution', required: false, enum: ['auto', 'raw', '1m', '1h'] })
  metrics(
    @CurrentUser() user: AuthUser,
    @Param('idOrName') idOrName: string,
    @Query(new ZodValidationPipe(nodeMetricsQuerySchema)) query: NodeMetricsQuery,
  ): Promise<NodeMetricsResponse> {
    return this.nodeMetrics.query(user.accountId, idOrName, query);
  }
}
