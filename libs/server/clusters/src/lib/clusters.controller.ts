import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodBody, ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
import { ClusterResponse, clusterResponseSchema, CreateClusterRequest, createClusterRequestSchema } from '@thresh/protocol';
import { ClustersService } from './clusters.service';

@ApiTags('clusters')
@Controller('clusters')
export class ClustersController {
  constructor(private readonly clusters: ClustersService) {}

  @Post()
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Create a cluster (a named group of nodes)' })
  @ApiZodBody(createClusterRequestSchema)
  @ApiZodResponse(201, clusterResponseSchema)
  create(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(createClusterRequestSchema)) body: CreateClusterRequest,
  ): Promise<ClusterResponse> {
    return this.clusters.create(user, body);
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'List clusters with their node counts' })
  @ApiZodResponse(200, clusterResponseSchema.array())
  list(@CurrentUser() user: AuthUser): Promise<ClusterResponse[]> {
    return this.clusters.list(user.accountId);
  }

  @Get(':name')
  @Authenticated()
  @ApiZodResponse(200, clusterResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<ClusterResponse> {
    return this.clusters.get(user.accountId, name);
  }

  @Delete(':name')
  @HttpCode(204)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Delete a cluster; its nodes stay' })
  delete(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<void> {
    return this.clusters.delete(user, name);
  }
}
