// Measures the two storage choices of the metrics path in a throwaway database, each beside its alternatives:
//  1. how a batch of samples is written: multi-row VALUES, unnest of column arrays, or COPY into a staging table
//     (all with ON CONFLICT DO NOTHING), with a raw COPY of the same rows as the floor;
//  2. how a day of old samples is dropped: batched deletes along the time index, or dropping a daily partition.
// Every table is shaped LIKE the hub's metric_samples, as the migrations make it in a throwaway database.
// Usage: npm run bench:storage -- [batches=200] [batchSize=1000] [rowsPerDay=400000]
// Needs a PostgreSQL (THRESH_TEST_PG_URL or 127.0.0.1:5432).
import { databaseOptions } from '@thresh/server-core';
import { createTestDatabase, withClient } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { postgres } from './bench/common';

const [batches = 200, batchSize = 1000, rowsPerDay = 400_000] = process.argv.slice(2).map(Number);
const NODES = 1000;

type Row = (string | number)[];

async function main(): Promise<void> {
  const database = await createTestDatabase('bench_storage', postgres.url);
  try {
    const migrated = await new DataSource(databaseOptions({ url: database.url, poolSize: 1 })).initialize();
    await migrated.destroy();
    await withClient(database.url, measure);
  } finally {
    await database.drop();
  }
}

async function measure(db: Client): Promise<void> {
  // The column types in table order, for unnest of column arrays: the rows below list their values in that order.
  const types = (
    await db.query<{ type: string }>(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'metric_samples'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    )
  ).rows.map((row) => row.type);
  /** A table shaped like metric_samples (columns, primary key, (node_id, at) index), with the (at) index of its partitions. */
  const likeSamples = async (table: string) => {
    await db.query(`CREATE TABLE ${table} (LIKE metric_samples INCLUDING ALL)`);
    await db.query(`CREATE INDEX ON ${table} (at)`);
  };

  const seconds = (startedAt: bigint) => Number(process.hrtime.bigint() - startedAt) / 1e9;
  const walBytes = async (run: () => Promise<unknown>) => {
    const before = (await db.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
    const startedAt = process.hrtime.bigint();
    await run();
    const elapsed = seconds(startedAt);
    const after = (await db.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
    const wal = Number((await db.query('SELECT pg_wal_lsn_diff($1, $2) AS bytes', [after, before])).rows[0].bytes);
    return { elapsed, wal };
  };
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

  const nodeIds = Array.from({ length: NODES }, () => randomUUID());
  let nextSeq = 0;
  const makeBatch = (): Row[] =>
    Array.from({ length: batchSize }, (_, index) => [
      nodeIds[index % NODES], nextSeq++, new Date().toISOString(), Math.random() * 100, 4e9, 8e9, 5e10, 1e11, 2,
    ]);

  const strategies: Record<string, (table: string, rows: Row[]) => Promise<unknown>> = {
    'multi-row VALUES': async (table, rows) => {
      const values = rows.map((_, row) => `(${types.map((__, col) => `$${row * types.length + col + 1}`).join(',')})`);
      await db.query(`INSERT INTO ${table} VALUES ${values.join(',')} ON CONFLICT DO NOTHING`, rows.flat());
    },
    'unnest arrays': async (table, rows) => {
      await db.query(
        `INSERT INTO ${table} SELECT * FROM unnest(${types.map((type, index) => `$${index + 1}::${type}[]`).join(', ')}) ON CONFLICT DO NOTHING`,
        types.map((_, index) => rows.map((row) => row[index])),
      );
    },
    'COPY to staging + INSERT SELECT': async (table, rows) => {
      await db.query('BEGIN');
      await db.query(`CREATE TEMP TABLE IF NOT EXISTS staging (LIKE metric_samples) ON COMMIT DELETE ROWS`);
      await copyRows('staging', rows);
      await db.query(`INSERT INTO ${table} SELECT * FROM staging ON CONFLICT DO NOTHING`);
      await db.query('COMMIT');
    },
    'raw COPY (floor: no dedupe)': async (table, rows) => copyRows(`${table}_plain`, rows),
  };
  const copyRows = (table: string, rows: Row[]) =>
    pipeline(Readable.from([rows.map((row) => `${row.join('\t')}\n`).join('')]), db.query(copyFrom(`COPY ${table} FROM STDIN`)));

  console.log(`\n1. Writing ${batches} batches of ${batchSize} samples (${NODES} nodes), metric_samples' primary key and two indexes`);
  console.log('| strategy | samples/s | ms per batch (mean) |\n|---|---|---|');
  for (const [name, write] of Object.entries(strategies)) {
    await db.query(`DROP TABLE IF EXISTS samples, samples_plain`);
    await likeSamples('samples');
    await likeSamples('samples_plain');
    const data = Array.from({ length: batches }, makeBatch);
    await write('samples', makeBatch()); // warm-up: plan caches, temp table
    const startedAt = process.hrtime.bigint();
    for (const rows of data) await write('samples', rows);
    const elapsed = seconds(startedAt);
    console.log(`| ${name} | ${Math.round((batches * batchSize) / elapsed)} | ${((elapsed * 1000) / batches).toFixed(1)} |`);
  }

  const days = 8;
  console.log(`\n2. Dropping the oldest of ${days} days, ${rowsPerDay} samples a day (${NODES} nodes), then writing on`);
  const cutoff = `date_trunc('day', now()) - interval '${days - 1} days'`;
  const layouts: Record<string, { create(): Promise<unknown>; drop(): Promise<unknown> }> = {
    'one table, batched DELETE (10,000 a statement, time index)': {
      create: () => likeSamples('samples'),
      drop: async () => {
        for (;;) {
          const { rowCount } = await db.query(`DELETE FROM samples WHERE ctid IN (SELECT ctid FROM samples WHERE at < ${cutoff} LIMIT 10000)`);
          if ((rowCount ?? 0) < 10_000) break;
        }
        // Dead rows must be vacuumed before their space is reused: part of the cost.
        await db.query('VACUUM samples');
      },
    },
    'daily partitions, DROP of the oldest': {
      create: async () => {
        await db.query(`CREATE TABLE samples (LIKE metric_samples INCLUDING ALL) PARTITION BY RANGE (at)`);
        for (let day = days; day >= -1; day--) {
          await db.query(
            `CREATE TABLE samples_d${day + 1} PARTITION OF samples FOR VALUES FROM (date_trunc('day', now()) - interval '${day} days')
                                                              TO (date_trunc('day', now()) - interval '${day - 1} days')`,
          );
        }
      },
      drop: () => db.query(`DROP TABLE samples_d${days + 1}`),
    },
  };
  console.log('| layout | rows dropped | drop time | WAL written by the drop | size after | samples/s written afterwards |\n|---|---|---|---|---|---|');
  for (const [name, layout] of Object.entries(layouts)) {
    await db.query(`DROP TABLE IF EXISTS samples, samples_plain`);
    await layout.create();
    await db.query(
      `INSERT INTO samples
       SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i % ${NODES}), 12, '0'))::uuid, i,
              date_trunc('day', now()) - interval '${days} days' + (i::double precision / $1) * interval '${days} days',
              random() * 100, 4e9, 8e9, 5e10, 1e11, 2
         FROM generate_series(0, $1 - 1) AS i`,
      [rowsPerDay * days],
    );
    await db.query('VACUUM ANALYZE samples');
    const dropped = (await db.query(`SELECT count(*)::int AS count FROM samples WHERE at < ${cutoff}`)).rows[0].count;
    const drop = await walBytes(layout.drop);
    const size = Number((await db.query(`SELECT coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size('samples')) AS size FROM pg_partition_tree('samples')`)).rows[0].size);
    const writeStartedAt = process.hrtime.bigint();
    for (let index = 0; index < 50; index++) await strategies['unnest arrays']('samples', makeBatch());
    const rate = Math.round((50 * batchSize) / seconds(writeStartedAt));
    console.log(`| ${name} | ${dropped} | ${drop.elapsed.toFixed(2)} s | ${mb(drop.wal)} | ${mb(size)} | ${rate} |`);
  }
}

void main();
