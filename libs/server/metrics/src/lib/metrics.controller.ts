import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { claimedCredentialKind } from '@thresh/protocol';
import { CredentialsService } from '@thresh/server-auth';
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
    private readonly credentials: CredentialsService,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {}

  /**
   * The series name every node: a scraper sends HUB_METRICS_TOKEN, or any user's token, as a bearer token;
   * HUB_METRICS_PUBLIC opens them to anyone.
   */
  @Get()
  async scrape(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!this.options.scrapePublic) await this.admit(request.headers.authorization?.replace(/^Bearer /i, '') ?? '', request.ip);
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }

  private async admit(given: string, source: string | undefined): Promise<void> {
    const expected = this.options.scrapeToken;
    if (expected && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return;
    if (claimedCredentialKind(given) === 'user') {
      await this.credentials.verify(given, 'user', source);
      return;
    }
    throw new AppException(
      'unauthorized',
      `Send ${expected ? 'the metrics token (HUB_METRICS_TOKEN) or ' : ''}a user token as "Authorization: Bearer …"${expected ? '' : ', or set HUB_METRICS_TOKEN for Prometheus'}`,
    );
  }
}
