import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Commands for agents, written before they are sent so none is lost between the hub, a midtier and a node. A command
 * keeps its node's name, so its history outlives a pruned node. Nodes also say which runtime drivers they have.
 */
export class Commands1764633600000 implements MigrationInterface {
  name = 'Commands1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE commands (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        node_id uuid REFERENCES nodes(id) ON DELETE SET NULL,
        node_name text NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('queued', 'dispatched', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled')),
        steps jsonb NOT NULL DEFAULT '[]',
        output text NOT NULL DEFAULT '',
        result jsonb,
        error text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        expires_at timestamptz NOT NULL,
        run_seconds integer NOT NULL,
        deadline timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX commands_account_created_idx ON commands (account_id, created_at DESC)`);
    await queryRunner.query(`CREATE INDEX commands_node_waiting_idx ON commands (node_id, created_at) WHERE state IN ('queued', 'dispatched')`);
    await queryRunner.query(`CREATE INDEX commands_unfinished_idx ON commands (expires_at) WHERE state IN ('queued', 'dispatched', 'running')`);
    await queryRunner.query(`CREATE INDEX commands_finished_idx ON commands (finished_at) WHERE finished_at IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE nodes ADD COLUMN drivers text[] NOT NULL DEFAULT '{process}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE nodes DROP COLUMN drivers`);
    await queryRunner.query(`DROP TABLE commands`);
  }
}
