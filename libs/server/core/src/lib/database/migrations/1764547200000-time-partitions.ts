import { MigrationInterface, QueryRunner } from 'typeorm';

const SAMPLE_COLUMNS = `
  node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  at timestamptz NOT NULL,
  cpu_percent real NOT NULL,
  memory_used_bytes bigint NOT NULL,
  memory_total_bytes bigint NOT NULL,
  disk_used_bytes bigint NOT NULL,
  disk_total_bytes bigint NOT NULL,
  containers_running integer NOT NULL`;

const ROLLUP_COLUMNS = `
  node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
  resolution text NOT NULL CHECK (resolution IN ('1m', '1h')),
  bucket timestamptz NOT NULL,
  samples integer NOT NULL,
  cpu_sum double precision NOT NULL,
  cpu_max real NOT NULL,
  memory_used_sum numeric NOT NULL,
  disk_used_sum numeric NOT NULL,
  containers_sum bigint NOT NULL`;

/**
 * Raw samples and minute rollups move to daily time partitions, so retention drops a day in milliseconds without
 * writing the WAL a row-by-row delete writes (libs/testing/scripts/bench-storage.mjs measures both). The hub creates the
 * day partitions ahead of time; a default partition catches anything outside them. Hour rollups stay one table.
 */
export class TimePartitions1764547200000 implements MigrationInterface {
  name = 'TimePartitions1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.setAside(queryRunner, 'metric_samples', ['metric_samples_node_at_idx', 'metric_samples_at_idx']);
    // A partitioned table's keys must hold its partition column; a repeat carries the same time, so it still conflicts.
    await queryRunner.query(`CREATE TABLE metric_samples (${SAMPLE_COLUMNS}, PRIMARY KEY (node_id, seq, at)) PARTITION BY RANGE (at)`);
    await queryRunner.query(`CREATE INDEX metric_samples_node_at_idx ON metric_samples (node_id, at)`);
    await queryRunner.query(`CREATE TABLE metric_samples_default PARTITION OF metric_samples DEFAULT`);
    await queryRunner.query(`CREATE INDEX metric_samples_default_at_idx ON metric_samples_default (at)`);
    await queryRunner.query(`INSERT INTO metric_samples SELECT * FROM metric_samples_unpartitioned`);
    await queryRunner.query(`DROP TABLE metric_samples_unpartitioned`);

    await this.setAside(queryRunner, 'metric_rollups', ['metric_rollups_resolution_bucket_idx']);
    await queryRunner.query(`CREATE TABLE metric_rollups (${ROLLUP_COLUMNS}, PRIMARY KEY (node_id, resolution, bucket)) PARTITION BY LIST (resolution)`);
    await queryRunner.query(`CREATE TABLE metric_rollups_1h PARTITION OF metric_rollups FOR VALUES IN ('1h')`);
    await queryRunner.query(`CREATE INDEX metric_rollups_1h_bucket_idx ON metric_rollups_1h (bucket)`);
    await queryRunner.query(`CREATE TABLE metric_rollups_1m PARTITION OF metric_rollups FOR VALUES IN ('1m') PARTITION BY RANGE (bucket)`);
    await queryRunner.query(`CREATE TABLE metric_rollups_1m_default PARTITION OF metric_rollups_1m DEFAULT`);
    await queryRunner.query(`CREATE INDEX metric_rollups_1m_default_bucket_idx ON metric_rollups_1m_default (bucket)`);
    await queryRunner.query(`INSERT INTO metric_rollups SELECT * FROM metric_rollups_unpartitioned`);
    await queryRunner.query(`DROP TABLE metric_rollups_unpartitioned`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.setAside(queryRunner, 'metric_samples', ['metric_samples_node_at_idx']);
    await queryRunner.query(`CREATE TABLE metric_samples (${SAMPLE_COLUMNS}, PRIMARY KEY (node_id, seq))`);
    await queryRunner.query(`CREATE INDEX metric_samples_node_at_idx ON metric_samples (node_id, at)`);
    await queryRunner.query(`CREATE INDEX metric_samples_at_idx ON metric_samples (at)`);
    await queryRunner.query(`INSERT INTO metric_samples SELECT * FROM metric_samples_unpartitioned ON CONFLICT DO NOTHING`);
    await queryRunner.query(`DROP TABLE metric_samples_unpartitioned`);

    await this.setAside(queryRunner, 'metric_rollups', []);
    await queryRunner.query(`CREATE TABLE metric_rollups (${ROLLUP_COLUMNS}, PRIMARY KEY (node_id, resolution, bucket))`);
    await queryRunner.query(`CREATE INDEX metric_rollups_resolution_bucket_idx ON metric_rollups (resolution, bucket)`);
    await queryRunner.query(`INSERT INTO metric_rollups SELECT * FROM metric_rollups_unpartitioned`);
    await queryRunner.query(`DROP TABLE metric_rollups_unpartitioned`);
  }

  /** Renames a table out of the way, with the index names its replacement will want. */
  private async setAside(queryRunner: QueryRunner, table: string, indexes: string[]): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${table} RENAME TO ${table}_unpartitioned`);
    await queryRunner.query(`ALTER TABLE ${table}_unpartitioned RENAME CONSTRAINT ${table}_pkey TO ${table}_unpartitioned_pkey`);
    for (const index of indexes) await queryRunner.query(`DROP INDEX ${index}`);
  }
}
