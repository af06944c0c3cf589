import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { AppException } from '@thresh/server-core';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers (503 when it does not)' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: 3000 })]);
    } catch (error) {
      // Said in the API's error shape, naming what is down, so a person reading it knows where to look.
      const failed = error instanceof ServiceUnavailableException ? ((error.getResponse() as HealthCheckResult).error ?? {}) : {};
      const down = Object.entries(failed).map(([name, detail]) => `${name} is ${detail?.status ?? 'down'}${typeof detail?.['message'] === 'string' ? ` (${detail['message']})` : ''}`);
      throw new AppException('hub_unavailable', `Not ready: ${down.join(', ') || 'a dependency does not answer'}`, undefined, { retryAfterSeconds: 5 });
    }
  }
}
