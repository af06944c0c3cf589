import { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed logins for unknown users belong to no account; every entry keeps its source; lapsing keys are found by index. */
export class IdentityAndAudit1764288000000 implements MigrationInterface {
  name = 'IdentityAndAudit1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE audit_events ALTER COLUMN account_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE audit_events ADD COLUMN source_address text`);
    await queryRunner.query(`CREATE INDEX audit_events_account_action_at_idx ON audit_events (account_id, action, at DESC)`);
    await queryRunner.query(`CREATE INDEX api_keys_expires_at_idx ON api_keys (expires_at) WHERE expires_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX api_keys_revoked_at_idx ON api_keys (revoked_at) WHERE revoked_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_keys_revoked_at_idx`);
    await queryRunner.query(`DROP INDEX api_keys_expires_at_idx`);
    await queryRunner.query(`DROP INDEX audit_events_account_action_at_idx`);
    await queryRunner.query(`ALTER TABLE audit_events DROP COLUMN source_address`);
    await queryRunner.query(`DELETE FROM audit_events WHERE account_id IS NULL`);
    await queryRunner.query(`ALTER TABLE audit_events ALTER COLUMN account_id SET NOT NULL`);
  }
}
