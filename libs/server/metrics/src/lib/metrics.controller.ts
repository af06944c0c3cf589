import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { AppException } from '@thresh/server-core';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { MetricsService } from './metrics.service';
import { RETENTION_OPTIONS, RetentionOptions } from './retention/retention.service';

@ApiExcludeController()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {}

  /** With HUB_METRICS_TOKEN set, scrapers must send it as a bearer token: the series name every node. */
  @Get()
  async scrape(@Req() request: Request, @Res() response: Response): Promise<void> {
    const expected = this.options.scrapeToken;
    if (expected) {
      const given = Buffer.from(request.headers.authorization?.replace(/^Bearer /, '') ?? '');
      const wanted = Buffer.from(expected);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        throw new AppException('unauthorized', 'Send the metrics token: Authorization: Bearer <HUB_METRICS_TOKEN>');
      }
    }
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
