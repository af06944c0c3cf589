import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReadRoute, WriteRoute } from '@thresh/server-auth';
import { ApiZodBody, ZodValidationPipe } from '@thresh/server-core';
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
  @WriteRoute(201, 'Create a cluster (a named group of nodes)', clusterResponseSchema)
  @ApiZodBody(createClusterRequestSchema)
  create(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(createClusterRequestSchema)) body: CreateClusterRequest,
  ): Promise<ClusterResponse> {
    return this.clusters.create(user, body);
  }

  @Get()
  @ReadRoute('List clusters with their node counts', clusterResponseSchema.array())
  list(@CurrentUser() user: AuthUser): Promise<ClusterResponse[]> {
    return this.clusters.list(user.accountId);
  }

  @Get(':name')
  @ReadRoute('One cluster with its nodes and their status', clusterDetailResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<ClusterDetailResponse> {
    return this.clusters.get(user.accountId, name);
  }

  @Patch(':name')
  @WriteRoute(200, "Change a cluster's description", clusterDetailResponseSchema)
  @ApiZodBody(updateClusterRequestSchema)
  update(
    @CurrentUser() user: AuthUser,
    @Param('name') name: string,
    @Body(new ZodValidationPipe(updateClusterRequestSchema)) body: UpdateClusterRequest,
  ): Promise<ClusterDetailResponse> {
    return this.clusters.update(user, name, body);
  }

  @Delete(':name')
  @WriteRoute(204, 'Delete a cluster; its nodes stay')
  delete(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<void> {
    return this.clusters.delete(user, name);
  }

  @Post(':name/nodes')
  @WriteRoute(201, 'Add a node (by id, name or unique id prefix) to a cluster; 409 if it is already there', clusterDetailResponseSchema)
  @ApiZodBody(addClusterNodeRequestSchema)
  addNode(
    @CurrentUser() user: AuthUser,
    @Param('name') name: string,
    @Body(new ZodValidationPipe(addClusterNodeRequestSchema)) body: AddClusterNodeRequest,
  ): Promise<ClusterDetailResponse> {
    return this.clusters.addNode(user, name, body);
  }

  @Delete(':name/nodes/:node')
  @WriteRoute(204, 'Take a node out of a cluster; the node itself stays')
  @ApiParam({ name: 'node', description: 'node id, name or unique id prefix' })
  removeNode(@CurrentUser() user: AuthUser, @Param('name') name: string, @Param('node') node: string): Promise<void> {
    return this.clusters.removeNode(user, name, node);
  }
}
