import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReadRoute, WriteRoute } from '@thresh/server-auth';
import { ZodValidationPipe } from '@thresh/server-core';
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
  @ReadRoute('List nodes with their status, last report, platform and agent version', nodeListResponseSchema)
  @ApiQuery({ name: 'status', required: false, enum: ['online', 'offline'] })
  @ApiQuery({ name: 'name', required: false, description: 'Substring of the node name' })
  @ApiQuery({ name: 'cluster', required: false, description: 'Only nodes in this cluster' })
  @ApiQuery({ name: 'sort', required: false, enum: ['name', 'status', 'lastSeen', 'cpu', 'memory', 'disk'] })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 100, maximum: 1000 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', default: 0 } })
  list(
    @CurrentUser() user: AuthUser,
    @Query(new ZodValidationPipe(nodeListQuerySchema)) query: NodeListQuery,
  ): Promise<NodeListResponse> {
    return this.nodes.list(user.accountId, query);
  }

  @Get(':idOrName')
  @ReadRoute('One node, by id or by name', nodeResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeResponse> {
    return this.nodes.get(user.accountId, idOrName);
  }

  @Patch(':idOrName')
  @WriteRoute(200, 'Rename a node (a registration never renames one); 409 when the name is taken', nodeResponseSchema)
  update(
    @CurrentUser() user: AuthUser,
    @Param('idOrName') idOrName: string,
    @Body(new ZodValidationPipe(nodeUpdateSchema)) body: NodeUpdate,
  ): Promise<NodeResponse> {
    return this.nodes.rename(user, idOrName, body.name);
  }

  @Post(':idOrName/reset-identity')
  @WriteRoute(200, "Forget the node's credential: the next machine to register as this node claims it (a reinstalled machine)", nodeResponseSchema)
  resetIdentity(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeResponse> {
    return this.nodes.resetIdentity(user, idOrName);
  }
}
