import { nextFreeNodeName } from '@thresh/protocol';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each node its own identity: the hash of its node credential (and of the enrollment secret that may ask for it again),
 * the midtier key that carries it, when an operator reset it (a reinstalled machine may then claim it by name), and a
 * name unique in its account. Existing duplicates are resolved first: the
 * oldest keeps its name, the others get the next free one.
 */
export class NodeIdentity1764892800000 implements MigrationInterface {
  name = 'NodeIdentity1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE nodes ADD COLUMN credential_hash bytea, ADD COLUMN enrollment_hash bytea, ADD COLUMN carrier_key_id uuid,
                        ADD COLUMN identity_reset_at timestamptz`);
    const duplicates: { account_id: string; id: string; name: string }[] = await queryRunner.query(`
      SELECT account_id, id, name FROM (
        SELECT account_id, id, name, row_number() OVER (PARTITION BY account_id, name ORDER BY registered_at, id) AS rank FROM nodes
      ) ranked WHERE rank > 1 ORDER BY account_id, name, rank`);
    const takenByAccount = new Map<string, Set<string>>();
    for (const node of duplicates) {
      let taken = takenByAccount.get(node.account_id);
      if (!taken) {
        const rows: { name: string }[] = await queryRunner.query(`SELECT name FROM nodes WHERE account_id = $1`, [node.account_id]);
        taken = new Set(rows.map((row) => row.name));
        takenByAccount.set(node.account_id, taken);
      }
      const name = nextFreeNodeName(node.name, taken);
      taken.add(name);
      await queryRunner.query(`UPDATE nodes SET name = $2, updated_at = now() WHERE id = $1`, [node.id, name]);
    }
    await queryRunner.query(`DROP INDEX nodes_account_name_idx`);
    await queryRunner.query(`CREATE UNIQUE INDEX nodes_account_name_key ON nodes (account_id, name)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX nodes_account_name_key`);
    await queryRunner.query(`CREATE INDEX nodes_account_name_idx ON nodes (account_id, name)`);
    await queryRunner.query(`ALTER TABLE nodes DROP COLUMN credential_hash, DROP COLUMN enrollment_hash, DROP COLUMN carrier_key_id, DROP COLUMN identity_reset_at`);
  }
}
