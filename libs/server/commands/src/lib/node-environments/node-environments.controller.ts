import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, AuthUser, CurrentUser } from '@thresh/server-auth';
import { ApiZodBody, ApiZodResponse, ZodValidationPipe } from '@thresh/server-core';
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
  @HttpCode(202)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Deploy a blueprint as a new environment on the node; follow the command it returns' })
  @ApiZodBody(environmentUpRequestSchema)
  @ApiZodResponse(202, commandResponseSchema)
  up(
    @CurrentUser() user: AuthUser,
    @Param('idOrName') idOrName: string,
    @Body(new ZodValidationPipe(environmentUpRequestSchema)) body: EnvironmentUpRequest,
  ): Promise<CommandResponse> {
    return this.environments.up(user, idOrName, body);
  }

  @Get('blueprints')
  @Authenticated()
  @ApiOperation({ summary: 'The blueprints the node can deploy (asked of its agent)' })
  @ApiZodResponse(200, nodeBlueprintsResponseSchema)
  blueprints(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeBlueprintsResponse> {
    return this.environments.blueprints(user, idOrName);
  }

  @Get('environments')
  @Authenticated()
  @ApiOperation({ summary: "The node's environments: from its agent when online, else as last reported" })
  @ApiZodResponse(200, nodeEnvironmentsResponseSchema)
  list(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string): Promise<NodeEnvironmentsResponse> {
    return this.environments.environments(user, idOrName);
  }

  @Post('environments/:name/start')
  @HttpCode(202)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: "Start a stopped environment's command" })
  @ApiZodResponse(202, commandResponseSchema)
  start(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string, @Param('name', environmentName) name: string): Promise<CommandResponse> {
    return this.environments.act(user, idOrName, 'environment.start', name);
  }

  @Post('environments/:name/stop')
  @HttpCode(202)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: "Stop an environment's command; the environment stays" })
  @ApiZodResponse(202, commandResponseSchema)
  stop(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string, @Param('name', environmentName) name: string): Promise<CommandResponse> {
    return this.environments.act(user, idOrName, 'environment.stop', name);
  }

  @Delete('environments/:name')
  @HttpCode(202)
  @Authenticated('admin', 'operator')
  @ApiOperation({ summary: 'Destroy an environment with its volumes' })
  @ApiZodResponse(202, commandResponseSchema)
  destroy(@CurrentUser() user: AuthUser, @Param('idOrName') idOrName: string, @Param('name', environmentName) name: string): Promise<CommandResponse> {
    return this.environments.act(user, idOrName, 'environment.destroy', name);
  }
}
