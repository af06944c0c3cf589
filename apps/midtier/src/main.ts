import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ApiExceptionFilter, loadConfigOrExit, logLevelsUpTo } from '@thresh/server-core';
import { AppModule } from './app/app.module';
import { loadMidtierConfig } from './app/midtier-config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('midtier', () => loadMidtierConfig());
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: logLevelsUpTo(config.LOG_LEVEL),
  });
  // A command's outcome carries up to 64 KB of output.
  app.useBodyParser('json', { limit: '1mb' });
  app.setGlobalPrefix('api', { exclude: ['health'] });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();
  await app.listen(config.MIDTIER_PORT, config.MIDTIER_HOST);
  Logger.log(`Midtier listening on http://${config.MIDTIER_HOST}:${config.MIDTIER_PORT}, hub ${config.HUB_URL}`, 'Midtier');
}

bootstrap().catch((error: Error) => {
  console.error(`midtier: failed to start: ${error.message}`);
  process.exit(1);
});
