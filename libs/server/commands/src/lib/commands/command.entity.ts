import type { CommandKind, CommandState, CommandStep } from '@thresh/protocol';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('commands')
export class CommandEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  /** Null once the node was pruned; its name stays for the history. */
  @Column({ name: 'node_id', type: 'uuid', nullable: true })
  nodeId!: string | null;

  @Column({ name: 'node_name', type: 'text' })
  nodeName!: string;

  @Column({ type: 'text' })
  kind!: CommandKind;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'text' })
  state!: CommandState;

  @Column({ type: 'jsonb' })
  steps!: CommandStep[];

  @Column({ type: 'text' })
  output!: string;

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** A command not started by then times out: its node stayed away too long. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** How long the command may run once handed down. */
  @Column({ name: 'run_seconds', type: 'integer' })
  runSeconds!: number;

  /** A command not finished by then times out; set again each time it is handed down. */
  @Column({ type: 'timestamptz' })
  deadline!: Date;
}
