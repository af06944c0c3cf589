import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ApiExceptionFilter, bodyParserErrors, closeSilentConnections, DEFAULT_CONNECTION_LIMITS, GuardedIoAdapter, httpsOptionsOf, jsonBody, loadConfigOrExit, logLevelsUpTo } from '@thresh/server-core';
import { AppModule } from './app/app.module';
import { loadMidtierConfig } from './app/midtier-config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('midtier', () => loadMidtierConfig());
  const httpsOptions = httpsOptionsOf('MIDTIER', { cert: config.MIDTIER_TLS_CERT, key: config.MIDTIER_TLS_KEY, disabled: config.MIDTIER_DISABLE_HTTPS });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: logLevelsUpTo(config.LOG_LEVEL),
    httpsOptions,
    // JSON only, bounded in size and depth (below).
    bodyParser: false,
  });
  // Agent addresses (key-check limits) come from X-Forwarded-For only behind a proxy the operator named.
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  // A command's outcome carries up to 64 KB of output.
  app.use(jsonBody('1mb'));
  app.use(bodyParserErrors);
  app.setGlobalPrefix('api', { exclude: ['health'] });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new GuardedIoAdapter(app, { ...DEFAULT_CONNECTION_LIMITS, unauthenticatedPerAddress: config.MIDTIER_UNAUTHENTICATED_PER_ADDRESS }));
  closeSilentConnections(app.getHttpServer());
  app.enableShutdownHooks();
  await app.listen(config.MIDTIER_PORT, config.MIDTIER_HOST);
  Logger.log(`Midtier listening on ${httpsOptions ? 'https' : 'http'}://${config.MIDTIER_HOST}:${config.MIDTIER_PORT}, hub ${config.HUB_URL}`, 'Midtier');
}

bootstrap().catch((error: Error) => {
  console.error(`midtier: failed to start: ${error.message}`);
  process.exit(1);
});
