import { MigrationInterface, QueryRunner } from 'typeorm';

/** Hub replicas pass their Socket.IO broadcasts through PostgreSQL; those over NOTIFY's 8,000 bytes wait in this table. */
export class ReplicaBroadcasts1764806400000 implements MigrationInterface {
  name = 'ReplicaBroadcasts1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE socket_io_attachments (
        id bigserial UNIQUE,
        created_at timestamptz DEFAULT now(),
        payload bytea
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE socket_io_attachments`);
  }
}
