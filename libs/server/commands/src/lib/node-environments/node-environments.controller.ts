import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReadRoute, WriteRoute } from '@thresh/server-auth';
import { ApiZodBody, ZodValidationPipe } from '@thresh/server-core';
import {
  CommandResponse,
  commandResponseSchema,
  EnvironmentUpRequest,
  environmentUpRequestSchema,
  NodeBlueprintsResponse,
  nodeBlueprintsResponseSchema,
  NodeEnvironmentsResponse,
  nodeEnvironmentsResponseSchema,
  resourceNameSchema,
} from '@thresh/protocol';
import { NodeEnvironmentsService } from './node-environments.service';

const environmentName = new ZodValidationPipe(resourceNameSchema);

@ApiTags('nodes')
@Controller('nodes/:idOrName')
export class NodeEnvironmentsController {
  constructor(private readonly environments: NodeEnvironmentsService) {}

  @Post('up')
  @WriteRoute(202, 'Deploy a blueprint as a new environment on the node; follow the command it returns', commandResponseSchema)
  @ApiZodBody(environmentUpRequestSchema)
  up(
    @CurrentUser() user: AuthUser,
    @Param('idOrName') idOrName: string,
    @Body(new ZodValidationPipe(environmentUpRequestSchema)) body: EnvironmentUpRequest,
  ): Promise<CommandResponse> {
    return this.environments.up(user, idOrName, body);
  }

  @Get('blueprints')
  @ReadRoute('The blueprints the node can deploy (asked of its agent)', nodeBlueprintsResponseSchema)
  blueprints(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeBlueprintsResponse> {
    return this.environments.blueprints(user, idOrName);
  }

  @Get('environments')
  @ReadRoute("The node's environments: from its agent when online, else as last reported", nodeEnvironmentsResponseSchema)
  list(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeEnvironmentsResponse> {
    return this.environments.environments(user, idOrName);
  }

  @Post('environments/:name/start')
  @WriteRoute(202, "Start a stopped environment's command", commandResponseSchema)
  start(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string, @Param('name', environmentName) name: string): Promise<CommandResponse> {
    return this.environments.act(user, idOrName, 'environment.start', name);
  }

  @Post('environments/:name/stop')
  @WriteRoute(202, "Stop an environment's command; the environment stays", commandResponseSchema)
  stop(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string, @Param('name', environmentName) name: string): Promise<CommandResponse> {
    return this.environments.act(user, idOrName, 'environment.stop', name);
  }

  @Delete('environments/:name')
  @WriteRoute(202, 'Destroy an environment with its volumes', commandResponseSchema)
  destroy(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string, @Param('name', environmentName) name: string): Promise<CommandResponse> {
    return this.environments.act(user, idOrName, 'environment.destroy', name);
  }
}
