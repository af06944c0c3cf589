import type { StackDefinition, StackStatus } from '@thresh/protocol';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('stacks')
export class StackEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: StackStatus;

  /** The definition as last deployed, validated and normalised. */
  @Column({ type: 'jsonb' })
  definition!: StackDefinition;

  @Column({ name: 'node_id', type: 'uuid', nullable: true })
  nodeId!: string | null;

  @Column({ name: 'node_name', type: 'text', nullable: true })
  nodeName!: string | null;

  /** The latest deploy or stop: the stack's status is read from it. */
  @Column({ name: 'command_id', type: 'uuid', nullable: true })
  commandId!: string | null;

  @Column({ name: 'deployed_by', type: 'text', nullable: true })
  deployedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
