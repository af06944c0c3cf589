import type { EnvironmentStatus, NodeStatus, RuntimeDriver } from '@thresh/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

const nullableBigint = { to: (value: number | null) => value, from: (value: string | null) => (value === null ? null : Number(value)) };
const bigintAsNumber = { to: (value: number) => value, from: (value: string | null) => (value === null ? 0 : Number(value)) };

@Entity('nodes')
export class NodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  hostname!: string;

  @Column({ type: 'text' })
  platform!: string;

  @Column({ type: 'text' })
  arch!: string;

  @Column({ name: 'agent_version', type: 'text' })
  agentVersion!: string;

  @Column({ name: 'cpu_cores', type: 'integer' })
  cpuCores!: number;

  @Column({ name: 'memory_total_bytes', type: 'bigint', transformer: bigintAsNumber })
  memoryTotalBytes!: number;

  @Column({ name: 'disk_total_bytes', type: 'bigint', transformer: bigintAsNumber })
  diskTotalBytes!: number;

  @Column({ name: 'metrics_interval_seconds', type: 'integer' })
  metricsIntervalSeconds!: number;

  @Column({ type: 'text' })
  status!: NodeStatus;

  /** The midtier socket the node is attached through; a stale disconnect must not mark a reconnected node offline. */
  @Column({ name: 'connection_id', type: 'text', nullable: true })
  connectionId!: string | null;

  /** SHA-256 of the node credential's secret; null for a node that anyone registering next may claim (before credentials, or reset). */
  @Column({ name: 'credential_hash', type: 'bytea', nullable: true })
  credentialHash!: Buffer | null;

  /** The midtier key the node registered through, whose midtiers alone hear its commands; null: the hub itself. */
  @Column({ name: 'carrier_key_id', type: 'uuid', nullable: true })
  carrierKeyId!: string | null;

  /** Runtime drivers the agent has (process, docker). */
  @Column({ type: 'text', array: true })
  drivers!: RuntimeDriver[];

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @Column({ name: 'cpu_percent', type: 'real', nullable: true })
  cpuPercent!: number | null;

  @Column({ name: 'memory_used_bytes', type: 'bigint', nullable: true, transformer: nullableBigint })
  memoryUsedBytes!: number | null;

  @Column({ name: 'disk_used_bytes', type: 'bigint', nullable: true, transformer: nullableBigint })
  diskUsedBytes!: number | null;

  @Column({ name: 'containers_running', type: 'integer', nullable: true })
  containersRunning!: number | null;

  @Column({ type: 'jsonb' })
  environments!: EnvironmentStatus[];

  @Column({ name: 'last_sample_at', type: 'timestamptz', nullable: true })
  lastSampleAt!: Date | null;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
