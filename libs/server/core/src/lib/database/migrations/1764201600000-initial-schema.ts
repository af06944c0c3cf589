import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764201600000 implements MigrationInterface {
  name = 'InitialSchema1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('agent', 'midtier', 'user')),
        name text NOT NULL,
        lookup_id text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_account_type_idx ON api_keys (account_id, type)`);
    await queryRunner.query(`
      CREATE TABLE nodes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        agent_id uuid NOT NULL,
        name text NOT NULL,
        hostname text NOT NULL,
        platform text NOT NULL,
        arch text NOT NULL,
        agent_version text NOT NULL,
        cpu_cores integer NOT NULL,
        memory_total_bytes bigint NOT NULL,
        disk_total_bytes bigint NOT NULL,
        metrics_interval_seconds integer NOT NULL,
        status text NOT NULL CHECK (status IN ('online', 'offline')),
        connection_id text,
        last_seen_at timestamptz,
        registered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, agent_id)
      )`);
    await queryRunner.query(`CREATE INDEX nodes_account_name_idx ON nodes (account_id, name)`);
    await queryRunner.query(`CREATE INDEX nodes_online_last_seen_idx ON nodes (last_seen_at) WHERE status = 'online'`);
    await queryRunner.query(`
      CREATE TABLE clusters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE cluster_nodes (
        cluster_id uuid NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
        node_id uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cluster_id, node_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE stacks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        status text NOT NULL,
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        details jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX audit_events_account_at_idx ON audit_events (account_id, at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'stacks', 'cluster_nodes', 'clusters', 'nodes', 'api_keys', 'users', 'accounts']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
