import { MigrationInterface, QueryRunner } from 'typeorm';

/** Raw samples, one row per (node, sequence number); the latest values sit on the node row for cheap listing. */
export class MetricSamples1764374400000 implements MigrationInterface {
  name = 'MetricSamples1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE metric_samples (
        node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        at timestamptz NOT NULL,
        cpu_percent real NOT NULL,
        memory_used_bytes bigint NOT NULL,
        memory_total_bytes bigint NOT NULL,
        disk_used_bytes bigint NOT NULL,
        disk_total_bytes bigint NOT NULL,
        containers_running integer NOT NULL,
        PRIMARY KEY (node_id, seq)
      )`);
    await queryRunner.query(`CREATE INDEX metric_samples_node_at_idx ON metric_samples (node_id, at)`);
    await queryRunner.query(`
      ALTER TABLE nodes
        ADD COLUMN cpu_percent real,
        ADD COLUMN memory_used_bytes bigint,
        ADD COLUMN disk_used_bytes bigint,
        ADD COLUMN containers_running integer,
        ADD COLUMN environments jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN last_sample_at timestamptz,
        ADD COLUMN last_seq bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE nodes DROP COLUMN cpu_percent, DROP COLUMN memory_used_bytes, DROP COLUMN disk_used_bytes,
        DROP COLUMN containers_running, DROP COLUMN environments, DROP COLUMN last_sample_at, DROP COLUMN last_seq`);
    await queryRunner.query(`DROP TABLE metric_samples`);
  }
}
