import { existsSync, renameSync } from 'node:fs';
import { Client } from 'pg';

/** Where the previous release's default (PGlite) kept its data, inside THRESH_DATA_DIR. */
export const PGLITE_FOLDER = 'postgres';

export interface TableCheck {
  table: string;
  rows: number;
  /** Order-independent digest of every row's text form. */
  digest: string;
}

export interface ImportResult {
  tables: TableCheck[];
  keptAs: string;
}

// Each row's text hashed, summed as numbers: equal for equal contents whatever the physical order.
const TABLE_CHECK_SQL = (table: string) =>
  `SELECT count(*)::bigint AS rows, coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text AS digest FROM public.${table} t`;

const TABLES_SQL = `SELECT quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition ORDER BY 1`;

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

async function checkTables(query: Query): Promise<TableCheck[]> {
  await query(`SET TIME ZONE 'UTC'; SET extra_float_digits = 3`);
  const checks: TableCheck[] = [];
  for (const { name } of (await query(TABLES_SQL)) as { name: string }[]) {
    const [row] = (await query(TABLE_CHECK_SQL(name))) as { rows: string; digest: string }[];
    checks.push({ table: name, rows: Number(row.rows), digest: row.digest });
  }
  return checks;
}

/** pg_dump's psql-only lines (`\restrict` and `\unrestrict`, from 17.6 on) mean nothing to a server. */
export function withoutPsqlCommands(dump: string): string {
  return dump.replace(/^\\(un)?restrict [A-Za-z0-9]+$/gm, '');
}

/** Whether the database holds any table of its own yet. */
export async function isEmpty(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(TABLES_SQL);
    return rows.length === 0;
  } finally {
    await client.end();
  }
}

/**
 * Moves a PGlite data folder into the (empty) database at `url`: pg_dump (PGlite's own build, in this process, on
 * PGlite's one connection) restored and every table compared, row count and contents, in one transaction. Only
 * then is the old folder renamed (never deleted); on any failure nothing is kept in the new database.
 */
export async function importPglite(folder: string, url: string, log: (message: string) => void): Promise<ImportResult> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pgDump } = await import('@electric-sql/pglite-tools');
  const source = await PGlite.create({ dataDir: folder });
  let dump: string;
  let expected: TableCheck[];
  try {
    dump = withoutPsqlCommands(await (await pgDump({ pg: source, args: ['--no-owner', '--no-privileges', '--rows-per-insert=1000'] })).text());
    expected = await checkTables(async (sql) => (await source.exec(sql)).at(-1)?.rows ?? []);
  } finally {
    await source.close();
  }
  log(`read ${expected.length} tables from the PGlite folder (${(dump.length / 1024 / 1024).toFixed(1)} MiB as SQL); restoring…`);

  const target = new Client({ connectionString: url });
  await target.connect();
  try {
    // Restored and compared in one transaction: data that differs is never committed.
    await target.query('BEGIN');
    await target.query(dump);
    const actual = await checkTables(async (sql) => {
      const result = await target.query(sql);
      return (Array.isArray(result) ? result.at(-1) : result)?.rows ?? [];
    });
    const differing = expected.filter((table) => {
      const restored = actual.find((candidate) => candidate.table === table.table);
      return !restored || restored.rows !== table.rows || restored.digest !== table.digest;
    });
    if (differing.length || actual.length !== expected.length) {
      throw new Error(`the restored data differs from the PGlite folder in ${differing.map((table) => table.table).join(', ') || 'its tables'}`);
    }
    await target.query('COMMIT');
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw new Error(`could not move the PGlite folder ${folder} into the embedded PostgreSQL (${(error as Error).message}); it is kept as it was`);
  } finally {
    await target.end();
  }
  const keptAs = freeName(`${folder}.pglite-moved`);
  renameSync(folder, keptAs);
  return { tables: expected, keptAs };
}

function freeName(base: string): string {
  if (!existsSync(base)) return base;
  for (let index = 2; ; index++) if (!existsSync(`${base}-${index}`)) return `${base}-${index}`;
}
