import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-minute and per-hour rollups kept as sums, so each stored sample adds to them exactly once at ingest;
 * averages are sums over counts at read time. Time indexes make retention a cheap range delete.
 */
export class MetricRollups1764460800000 implements MigrationInterface {
  name = 'MetricRollups1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX metric_samples_at_idx ON metric_samples (at)`);
    await queryRunner.query(`
      CREATE TABLE metric_rollups (
        node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
        resolution text NOT NULL CHECK (resolution IN ('1m', '1h')),
        bucket timestamptz NOT NULL,
        samples integer NOT NULL,
        cpu_sum double precision NOT NULL,
        cpu_max real NOT NULL,
        memory_used_sum numeric NOT NULL,
        disk_used_sum numeric NOT NULL,
        containers_sum bigint NOT NULL,
        PRIMARY KEY (node_id, resolution, bucket)
      )`);
    await queryRunner.query(`CREATE INDEX metric_rollups_resolution_bucket_idx ON metric_rollups (resolution, bucket)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE metric_rollups`);
    await queryRunner.query(`DROP INDEX metric_samples_at_idx`);
  }
}
