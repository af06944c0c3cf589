import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiExceptionFilter, httpsOptionsOf, logLevelsUpTo } from '@thresh/server-core';
import { AGENT_REST_PREFIX } from '@thresh/protocol';
import { json, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module';
import { HubConfig } from './hub-config';
import { ReplicaIoAdapter } from './replica-io.adapter';

/** A NUL in a path or query would reach PostgreSQL, which cannot store it: refuse it first. */
function rejectNulInUrl(request: Request, response: Response, next: NextFunction): void {
  if (!/%00/i.test(request.url)) return next();
  response.status(400).json({ statusCode: 400, code: 'validation_failed', message: 'The URL may not contain NUL characters' });
}

/** Builds the hub without listening, so tests get the same app the binary runs. */
export async function createHubApp(config: HubConfig, dashboardDir?: string): Promise<NestExpressApplication> {
  const httpsOptions = httpsOptionsOf('HUB', { cert: config.HUB_TLS_CERT, key: config.HUB_TLS_KEY, disabled: config.HUB_DISABLE_HTTPS });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dashboardDir), {
    httpsOptions,
    logger: logLevelsUpTo(config.LOG_LEVEL),
    // Errors at boot reach the caller (main exits 1 with the message; tests see the error).
    abortOnError: false,
    // JSON only: a form-encoded or text body reaches validation as nothing and gets a 400.
    bodyParser: false,
  });
  // An agent's metrics report may reach MAX_REPORT_BYTES; everything else stays small.
  app.use(AGENT_REST_PREFIX, json({ limit: '1mb' }));
  app.useBodyParser('json', { limit: '256kb' });
  app.use(rejectNulInUrl);
  // Client addresses (audit, rate limits) come from X-Forwarded-For only behind a proxy the operator named.
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  app.setGlobalPrefix('api', { exclude: ['health', 'health/ready', 'metrics'] });
  app.useGlobalFilters(new ApiExceptionFilter());
  if (config.HUB_REPLICAS) app.useWebSocketAdapter(new ReplicaIoAdapter(app, config.DATABASE_URL));
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Thresh Hub')
      .setDescription('Fleet management API. Authenticate with a thresh_cli_ token from POST /api/auth/login.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  return app;
}
