import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_DATABASE, EMBEDDED_USER, EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { LocalSecrets, saveSecrets, secretsPath } from './local-secrets';
import { importPglite, isEmpty, PGLITE_FOLDER } from './pglite-import';
import { freePort, isPortFree } from './ports';

/** The cluster's folder inside THRESH_DATA_DIR. */
export const CLUSTER_FOLDER = 'postgresql';

/**
 * Starts the data folder's own PostgreSQL: on the port asked for, else the one it had, else a free one. A folder
 * from the PGlite default of earlier releases is carried over on the first start.
 */
export async function startLocalDatabase(dataDir: string, secrets: LocalSecrets, requestedPort: number | undefined, log: (message: string) => void): Promise<EmbeddedPostgres> {
  const stored = secrets.database;
  const port = requestedPort ?? (stored && (await isPortFree(stored.port)) ? stored.port : await freePort());
  secrets.database = { password: stored?.password ?? randomBytes(18).toString('base64url'), port };
  saveSecrets(dataDir, secrets);

  const database = await startEmbeddedPostgres({ dataDir: join(dataDir, CLUSTER_FOLDER), port, password: secrets.database.password, log });
  const pglite = join(dataDir, PGLITE_FOLDER);
  if (existsSync(join(pglite, 'PG_VERSION'))) {
    if (await isEmpty(database.url)) {
      log(`moving the data of the earlier embedded database (PGlite, ${pglite}) into PostgreSQL ${database.version}…`);
      try {
        const { tables, keptAs } = await importPglite(pglite, database.url, log);
        const rows = tables.reduce((total, table) => total + table.rows, 0);
        log(`moved ${rows.toLocaleString('en-US')} rows in ${tables.length} tables, each compared after the move; the PGlite folder is kept as ${keptAs} (delete it when you no longer need it)`);
      } catch (error) {
        await database.stop();
        throw error;
      }
    } else {
      log(`note: ${pglite} (a PGlite folder of an earlier release) is not read: the embedded PostgreSQL already holds data`);
    }
  }
  return database;
}

/** How to reach the embedded server by hand, without printing its password. */
export function describeLocalDatabase(dataDir: string, database: EmbeddedPostgres): string {
  return `postgres://${EMBEDDED_USER}@127.0.0.1:${database.port}/${EMBEDDED_DATABASE} (PostgreSQL ${database.version}, data in ${join(dataDir, CLUSTER_FOLDER)}; password: "database.password" in ${secretsPath(dataDir)})`;
}
