import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiExceptionFilter, ConfigError } from '@thresh/server-core';
import { AppModule } from './app/app.module';
import { loadMidtierConfig, MidtierConfig } from './app/midtier-config';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

function configOrExit(): MidtierConfig {
  try {
    return loadMidtierConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`midtier: refusing to start. ${error.message}`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1),
  });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();
  await app.listen(config.MIDTIER_PORT, config.MIDTIER_HOST);
  Logger.log(`Midtier listening on http://${config.MIDTIER_HOST}:${config.MIDTIER_PORT}, hub ${config.HUB_URL}`, 'Midtier');
}

bootstrap().catch((error: Error) => {
  console.error(`midtier: failed to start: ${error.message}`);
  process.exit(1);
});
