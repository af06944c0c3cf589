import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  ApiExceptionFilter,
  bodyParserErrors,
  closeSilentConnections,
  DEFAULT_CONNECTION_LIMITS,
  GuardedIoAdapter,
  httpsOptionsOf,
  jsonBody,
  logLevelsUpTo,
} from '@thresh/server-core';
import { AGENT_REST_PREFIX } from '@thresh/protocol';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { HubConfig } from './hub-config';
import { ReplicaIoAdapter } from './replica-io.adapter';

/** A NUL in a path or query would reach PostgreSQL, which cannot store it: refuse it first. */
function rejectNulInUrl(request: Request, response: Response, next: NextFunction): void {
  if (!/%00/i.test(request.url)) return next();
  response.status(400).json({ statusCode: 400, code: 'validation_failed', message: 'The URL may not contain NUL characters' });
}

/**
 * On every response: a CSP the dashboard runs under (its own scripts only, no inline script; Angular's component
 * styles are inline), no framing, no sniffing, no referrer, HSTS over HTTPS, and no X-Powered-By.
 */
function securityHeaders(https: boolean) {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000 } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
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
  app.use(securityHeaders(httpsOptions !== undefined));
  // An agent's metrics report may reach MAX_REPORT_BYTES; everything else stays small.
  app.use(AGENT_REST_PREFIX, jsonBody('1mb'));
  app.use(jsonBody('256kb'));
  app.use(bodyParserErrors);
  app.use(rejectNulInUrl);
  // Client addresses (audit, rate limits) come from X-Forwarded-For only behind a proxy the operator named.
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  app.setGlobalPrefix('api', { exclude: ['health', 'health/ready', 'metrics'] });
  app.useGlobalFilters(new ApiExceptionFilter());
  const limits = { ...DEFAULT_CONNECTION_LIMITS, unauthenticatedPerAddress: config.HUB_UNAUTHENTICATED_PER_ADDRESS };
  app.useWebSocketAdapter(config.HUB_REPLICAS ? new ReplicaIoAdapter(app, limits, config.DATABASE_URL) : new GuardedIoAdapter(app, limits));
  closeSilentConnections(app.getHttpServer());
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
