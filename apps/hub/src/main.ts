import { Logger } from '@nestjs/common';
import { ConfigError } from '@thresh/server-core';
import { dirname, join } from 'node:path';
import { createHubApp } from './app/create-hub-app';
import { HubConfig, loadHubConfig } from './app/hub-config';

function configOrExit(): HubConfig {
  try {
    return loadHubConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`hub: refusing to start. ${error.message}`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  // The built dashboard sits beside the hub's bundle in dist/apps.
  const dashboardDir = config.HUB_DASHBOARD_DIR ?? join(dirname(process.argv[1]), '..', 'dashboard', 'browser');
  const app = await createHubApp(config, dashboardDir);
  await app.listen(config.HUB_PORT, config.HUB_HOST);
  Logger.log(`Hub listening on http://${config.HUB_HOST}:${config.HUB_PORT} (API docs at /api/docs)`, 'Hub');
}

bootstrap().catch((error: Error) => {
  console.error(`hub: failed to start: ${error.message}`);
  process.exit(1);
});
