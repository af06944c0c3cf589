import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodBody, ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
import {
  AddClusterNodeRequest,
  addClusterNodeRequestSchema,
  ClusterDetailResponse,
  clusterDetailResponseSchema,
  ClusterResponse,
  clusterResponseSchema,
  CreateClusterRequest,
  createClusterRequestSchema,
  UpdateClusterRequest,
  updateClusterRequestSchema,
} from '@thresh/protocol';
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
  @ApiOperation({ summary: 'One cluster with its nodes and their status' })
  @ApiZodResponse(200, clusterDetailResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<ClusterDetailResponse> {
    return this.clusters.get(user.accountId, name);
  }

  @Patch(':name')
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: "Change a cluster's description" })
  @ApiZodBody(updateClusterRequestSchema)
  @ApiZodResponse(200, clusterDetailResponseSchema)
  update(
    @CurrentUser() user: AuthUser,
    @Param('name') name: string,
    @Body(new ZodValidationPipe(updateClusterRequestSchema)) body: UpdateClusterRequest,
  ): Promise<ClusterDetailResponse> {
    return this.clusters.update(user, name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Delete a cluster; its nodes stay' })
  delete(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<void> {
    return this.clusters.delete(user, name);
  }

  @Post(':name/nodes')
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Add a node (by id, name or unique id prefix) to a cluster; 409 if it is already there' })
  @ApiZodBody(addClusterNodeRequestSchema)
  @ApiZodResponse(201, clusterDetailResponseSchema)
  addNode(
    @CurrentUser() user: AuthUser,
    @Param('name') name: string,
    @Body(new ZodValidationPipe(addClusterNodeRequestSchema)) body: AddClusterNodeRequest,
  ): Promise<ClusterDetailResponse> {
    return this.clusters.addNode(user, name, body);
  }

  @Delete(':name/nodes/:node')
  @HttpCode(204)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Take a node out of a cluster; the node itself stays' })
  @ApiParam({ name: 'node', description: 'node id, name or unique id prefix' })
  removeNode(@CurrentUser() user: AuthUser, @Param('name') name: string, @Param('node') node: string): Promise<void> {
    return this.clusters.removeNode(user, name, node);
  }
}
