// Measures the two storage choices of the metrics path in a throwaway database, each beside its alternatives:
//  1. how a batch of samples is written: multi-row VALUES, unnest of column arrays, or COPY into a staging table
//     (all with ON CONFLICT DO NOTHING), with a raw COPY of the same rows as the floor;
//  2. how a day of old samples is dropped: batched deletes along the time index, or dropping a daily partition.
// Usage: node libs/testing/scripts/bench-storage.mjs [batches=200] [batchSize=1000] [rowsPerDay=400000]
// Needs a PostgreSQL (THRESH_TEST_PG_URL or 127.0.0.1:5432).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const [batches = 200, batchSize = 1000, rowsPerDay = 400_000] = process.argv.slice(2).map(Number);
const server = process.env.THRESH_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `thresh_bench_storage_${Date.now()}`;
const NODES = 1000;
const COLUMNS = 'node_id, seq, at, cpu_percent, memory_used_bytes, memory_total_bytes, disk_used_bytes, disk_total_bytes, containers_running';
const SAMPLE_COLUMNS = `
  node_id uuid NOT NULL, seq bigint NOT NULL, at timestamptz NOT NULL, cpu_percent real NOT NULL,
  memory_used_bytes bigint NOT NULL, memory_total_bytes bigint NOT NULL, disk_used_bytes bigint NOT NULL,
  disk_total_bytes bigint NOT NULL, containers_running integer NOT NULL`;

const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const db = new pg.Client({ connectionString: Object.assign(new URL(server), { pathname: `/${dbName}` }).toString() });
await db.connect();

const seconds = (startedAt) => Number(process.hrtime.bigint() - startedAt) / 1e9;
const walBytes = async (run) => {
  const before = (await db.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
  const startedAt = process.hrtime.bigint();
  await run();
  const elapsed = seconds(startedAt);
  const after = (await db.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
  const wal = Number((await db.query('SELECT pg_wal_lsn_diff($1, $2) AS bytes', [after, before])).rows[0].bytes);
  return { elapsed, wal };
};
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

const nodeIds = Array.from({ length: NODES }, () => randomUUID());
let nextSeq = 0;
const makeBatch = () =>
  Array.from({ length: batchSize }, (_, index) => [
    nodeIds[index % NODES], nextSeq++, new Date().toISOString(), Math.random() * 100, 4e9, 8e9, 5e10, 1e11, 2,
  ]);

const strategies = {
  'multi-row VALUES': async (table, rows) => {
    const values = rows.map((_, row) => `(${Array.from({ length: 9 }, (__, col) => `$${row * 9 + col + 1}`).join(',')})`);
    await db.query(`INSERT INTO ${table} (${COLUMNS}) VALUES ${values.join(',')} ON CONFLICT DO NOTHING`, rows.flat());
  },
  'unnest arrays': async (table, rows) => {
    const column = (index) => rows.map((row) => row[index]);
    await db.query(
      `INSERT INTO ${table} (${COLUMNS})
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[], $4::real[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::int[])
       ON CONFLICT DO NOTHING`,
      Array.from({ length: 9 }, (_, index) => column(index)),
    );
  },
  'COPY to staging + INSERT SELECT': async (table, rows) => {
    await db.query('BEGIN');
    await db.query(`CREATE TEMP TABLE IF NOT EXISTS staging (${SAMPLE_COLUMNS}) ON COMMIT DELETE ROWS`);
    await copyRows('staging', rows);
    await db.query(`INSERT INTO ${table} SELECT * FROM staging ON CONFLICT DO NOTHING`);
    await db.query('COMMIT');
  },
  'raw COPY (floor: no dedupe)': async (table, rows) => copyRows(`${table}_plain`, rows),
};
const copyRows = (table, rows) =>
  pipeline(Readable.from([rows.map((row) => `${row.join('\t')}\n`).join('')]), db.query(copyFrom(`COPY ${table} (${COLUMNS}) FROM STDIN`)));

try {
  console.log(`\n1. Writing ${batches} batches of ${batchSize} samples (${NODES} nodes), primary key (node_id, seq) and two indexes`);
  console.log('| strategy | samples/s | ms per batch (mean) |\n|---|---|---|');
  for (const [name, write] of Object.entries(strategies)) {
    await db.query(`DROP TABLE IF EXISTS samples, samples_plain`);
    await db.query(`CREATE TABLE samples (${SAMPLE_COLUMNS}, PRIMARY KEY (node_id, seq))`);
    await db.query(`CREATE TABLE samples_plain (${SAMPLE_COLUMNS}, PRIMARY KEY (node_id, seq))`);
    for (const table of ['samples', 'samples_plain']) {
      await db.query(`CREATE INDEX ON ${table} (node_id, at)`);
      await db.query(`CREATE INDEX ON ${table} (at)`);
    }
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
  const layouts = {
    'one table, batched DELETE (10,000 a statement, time index)': {
      create: async () => {
        await db.query(`CREATE TABLE samples (${SAMPLE_COLUMNS}, PRIMARY KEY (node_id, seq))`);
        await db.query(`CREATE INDEX ON samples (node_id, at)`);
        await db.query(`CREATE INDEX ON samples (at)`);
      },
      drop: async () => {
        for (;;) {
          const { rowCount } = await db.query(`DELETE FROM samples WHERE ctid IN (SELECT ctid FROM samples WHERE at < ${cutoff} LIMIT 10000)`);
          if (rowCount < 10_000) break;
        }
        // Dead rows must be vacuumed before their space is reused: part of the cost.
        await db.query('VACUUM samples');
      },
    },
    'daily partitions, DROP of the oldest': {
      create: async () => {
        await db.query(`CREATE TABLE samples (${SAMPLE_COLUMNS}, PRIMARY KEY (node_id, seq, at)) PARTITION BY RANGE (at)`);
        for (let day = days; day >= -1; day--) {
          await db.query(
            `CREATE TABLE samples_d${day + 1} PARTITION OF samples FOR VALUES FROM (date_trunc('day', now()) - interval '${day} days')
                                                              TO (date_trunc('day', now()) - interval '${day - 1} days')`,
          );
        }
        await db.query(`CREATE INDEX ON samples (node_id, at)`);
      },
      drop: () => db.query(`DROP TABLE samples_d${days + 1}`),
    },
  };
  console.log('| layout | rows dropped | drop time | WAL written by the drop | size after | samples/s written afterwards |\n|---|---|---|---|---|---|');
  for (const [name, layout] of Object.entries(layouts)) {
    await db.query(`DROP TABLE IF EXISTS samples, samples_plain`);
    await layout.create();
    await db.query(
      `INSERT INTO samples (${COLUMNS})
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
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.end();
}
