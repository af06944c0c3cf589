import { NestExpressApplication } from '@nestjs/platform-express';
import { createTestDatabase, HubApi, TestDatabase } from '@thresh/testing';
import { createHubApp } from '../app/create-hub-app';
import { loadHubConfig } from '../app/hub-config';

export const ADMIN_PASSWORD = 'integration-admin-pw';

export interface TestHub {
  app: NestExpressApplication;
  url: string;
  api: HubApi;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real hub on a fresh database of its own, listening on a free loopback port; given another hub's database, a
 * replica beside it (that database stays with its owner).
 */
export async function startTestHub(label: string, env: NodeJS.ProcessEnv = {}, shared?: TestDatabase): Promise<TestHub> {
  const database = shared ?? (await createTestDatabase(label));
  let app: NestExpressApplication;
  try {
    const config = loadHubConfig({
      DATABASE_URL: database.url,
      THRESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'error',
      // Suites send many bad credentials from one address on purpose; the limits have a test of their own.
      HUB_LOGIN_FAILURE_LIMIT: '100000',
      HUB_CREDENTIAL_FAILURE_LIMIT: '100000',
      HUB_RATE_LIMIT_PER_MINUTE: '100000',
      ...env,
    });
    // As the binary does when HUB_DASHBOARD_DIR is set.
    app = await createHubApp(config, config.HUB_DASHBOARD_DIR);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    if (!shared) await database.drop();
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    api: new HubApi(url),
    database,
    async close() {
      await app.close();
      if (!shared) await database.drop();
    },
  };
}
