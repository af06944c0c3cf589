import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@thresh/server-core';
import { dirname, join } from 'node:path';
import { createHubApp } from './app/create-hub-app';
import { loadHubConfig } from './app/hub-config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('hub', () => loadHubConfig());
  // The built dashboard sits beside the hub's bundle in dist/apps.
  const dashboardDir = config.HUB_DASHBOARD_DIR ?? join(dirname(process.argv[1]), '..', 'dashboard', 'browser');
  const app = await createHubApp(config, dashboardDir);
  await app.listen(config.HUB_PORT, config.HUB_HOST);
  const scheme = config.HUB_TLS_CERT && !config.HUB_DISABLE_HTTPS ? 'https' : 'http';
  Logger.log(`Hub listening on ${scheme}://${config.HUB_HOST}:${config.HUB_PORT} (API docs at /api/docs)`, 'Hub');
}

bootstrap().catch((error: Error) => {
  console.error(`hub: failed to start: ${error.message}`);
  process.exit(1);
});
