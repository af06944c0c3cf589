import { MigrationInterface, QueryRunner } from 'typeorm';

/** A stack remembers where it runs and its latest command, from which its status and its services' are read. */
export class StackDeployments1764720000000 implements MigrationInterface {
  name = 'StackDeployments1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE stacks
        ADD COLUMN node_id uuid REFERENCES nodes(id) ON DELETE SET NULL,
        ADD COLUMN node_name text,
        ADD COLUMN command_id uuid REFERENCES commands(id) ON DELETE SET NULL,
        ADD COLUMN deployed_by text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stacks DROP COLUMN node_id, DROP COLUMN node_name, DROP COLUMN command_id, DROP COLUMN deployed_by`);
  }
}
