import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, ReadRoute, WriteRoute } from '@thresh/server-auth';
import { ApiZodBody, ZodValidationPipe } from '@thresh/server-core';
import {
  stackDefinitionInputSchema,
  stackDeleteQuerySchema,
  StackDeployResponse,
  stackDeployResponseSchema,
  StackResponse,
  stackResponseSchema,
  StackSummary,
  stackSummarySchema,
} from '@thresh/protocol';
import { z } from 'zod';
import { StacksService } from './stacks.service';

/** A three-service stack as a CI pipeline would send it. */
const EXAMPLE = {
  name: 'webapp',
  targetCluster: 'edge',
  onFailure: 'rollback',
  services: {
    db: { command: 'exec ./run-db.sh', ports: [5432], healthcheck: { tcp: 5432 } },
    api: {
      command: 'exec node api.js',
      ports: [8080],
      dependsOn: ['db'],
      env: { DATABASE_URL: 'postgres://${db.host}:${db.port}/app' },
      healthcheck: { http: 'http://127.0.0.1:8080/health', interval: 2, retries: 30 },
    },
    web: { command: 'exec node web.js', ports: [3000], dependsOn: ['api'], env: { API_URL: 'http://${api.host}:${api.port}' } },
  },
};

const anyObject = new ZodValidationPipe(z.record(z.string(), z.unknown()));

@ApiTags('stacks')
@Controller('stacks')
export class StacksController {
  constructor(private readonly stacks: StacksService) {}

  @Post('deploy')
  @WriteRoute(202, {
    summary: 'Deploy a stack, or update it (only changed services restart); follow it with GET /api/stacks/{name}; 409 while its previous deploy or stop runs',
    description:
      'Every problem of the definition is reported at once (400) and nothing starts. ' +
      'curl -X POST "$THRESH_HUB/api/stacks/deploy" -H "Authorization: Bearer $THRESH_TOKEN" -H "Content-Type: application/json" -d @webapp.json',
  }, stackDeployResponseSchema)
  @ApiZodBody(stackDefinitionInputSchema, EXAMPLE)
  deploy(@CurrentUser() user: AuthUser, @Body(anyObject) body: Record<string, unknown>): Promise<StackDeployResponse> {
    return this.stacks.deploy(user, body);
  }

  @Get()
  @ReadRoute('List stacks with their status and how many of their services are healthy', stackSummarySchema.array())
  list(@CurrentUser() user: AuthUser): Promise<StackSummary[]> {
    return this.stacks.list(user.accountId);
  }

  @Get(':name')
  @ReadRoute('One stack: status, node, and each service with its status, error and timings', stackResponseSchema)
  get(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<StackResponse> {
    return this.stacks.get(user, name);
  }

  @Post(':name/stop')
  @WriteRoute(202, "Stop a stack's services in reverse dependency order; deploy it again to start them", stackResponseSchema)
  stop(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<StackResponse> {
    return this.stacks.stop(user, name);
  }

  @Delete(':name')
  @WriteRoute(202, 'Forget a stack: its services are stopped, or with ?destroy=true removed with their volumes')
  @ApiQuery({ name: 'destroy', required: false, enum: ['true', 'false'] })
  delete(
    @CurrentUser() user: AuthUser,
    @Param('name') name: string,
    @Query(new ZodValidationPipe(stackDeleteQuerySchema)) query: z.infer<typeof stackDeleteQuerySchema>,
  ): Promise<{ commandId: string | null }> {
    return this.stacks.delete(user, name, query.destroy);
  }
}
