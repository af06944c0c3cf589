import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CommandState, CommandStep, MAX_COMMAND_STEPS } from '@thresh/protocol';
import { In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { CommandEntity } from './command.entity';

const UNFINISHED = `('queued', 'dispatched', 'running')`;
// Appends a step unless the command holds its fill of them already.
const WITH_STEP = `CASE WHEN $3::jsonb IS NULL OR jsonb_array_length(steps) >= ${MAX_COMMAND_STEPS} THEN steps ELSE steps || jsonb_build_array($3::jsonb) END`;

export interface CommandFilter {
  nodeId?: string;
  state?: CommandState;
  kind?: string;
  limit: number;
  offset: number;
}

export interface CommandOutcome {
  state: 'succeeded' | 'failed' | 'cancelled';
  step?: CommandStep;
  output: string;
  result: Record<string, unknown> | null;
  error: string | null;
}

/** Every state change is one guarded UPDATE: a command moves forward only, and finishes once. */
@Injectable()
export class CommandRepository {
  constructor(@InjectRepository(CommandEntity) private readonly commands: Repository<CommandEntity>) {}

  async insert(command: Omit<CommandEntity, 'createdAt' | 'steps' | 'output' | 'result' | 'error' | 'dispatchedAt' | 'startedAt' | 'finishedAt' | 'state'>): Promise<CommandEntity> {
    const entity = this.commands.create({ ...command, state: 'queued', steps: [], output: '', result: null, error: null });
    // insert, not save: save looks the id up first and wraps both in a transaction; the defaults come back into the entity.
    // The cast: TypeORM's insert() types a jsonb Record column as a nested partial entity.
    await this.commands.insert(entity as QueryDeepPartialEntity<CommandEntity>);
    return entity;
  }

  findOne(accountId: string, id: string): Promise<CommandEntity | null> {
    return this.commands.findOneBy({ accountId, id });
  }

  findMany(accountId: string, ids: string[]): Promise<CommandEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.commands.findBy({ accountId, id: In(ids) });
  }

  list(accountId: string, filter: CommandFilter): Promise<[CommandEntity[], number]> {
    const builder = this.commands
      .createQueryBuilder('command')
      .where('command.account_id = :accountId', { accountId })
      .orderBy('command.created_at', 'DESC')
      .addOrderBy('command.id', 'ASC')
      .take(filter.limit)
      .skip(filter.offset);
    if (filter.nodeId) builder.andWhere('command.node_id = :nodeId', { nodeId: filter.nodeId });
    if (filter.state) builder.andWhere('command.state = :state', { state: filter.state });
    if (filter.kind) builder.andWhere('command.kind = :kind', { kind: filter.kind });
    return builder.getManyAndCount();
  }

  /** Commands a node has yet to start, oldest first (the ones handed down before may not have arrived). */
  waitingFor(nodeId: string): Promise<CommandEntity[]> {
    return this.commands
      .createQueryBuilder('command')
      .where(`command.node_id = :nodeId AND command.state IN ('queued', 'dispatched') AND command.expires_at > now()`, { nodeId })
      .orderBy('command.created_at', 'ASC')
      .getMany();
  }

  /** Marks commands handed down (now), each with a fresh deadline to finish by; returns those still waiting to start. */
  async markDispatched(ids: string[]): Promise<CommandEntity[]> {
    if (ids.length === 0) return [];
    await this.commands.query(
      `UPDATE commands SET state = CASE WHEN state = 'queued' THEN 'dispatched' ELSE state END, dispatched_at = now(),
                           deadline = now() + make_interval(secs => run_seconds)
        WHERE id = ANY($1) AND state IN ('queued', 'dispatched')`,
      [ids],
    );
    return this.commands.findBy({ id: In(ids), state: 'dispatched' });
  }

  /** Nodes with commands handed down a while ago (or never) and still not started. */
  async nodesWithOverdue(seconds: number): Promise<string[]> {
    const rows: { node_id: string }[] = await this.commands.query(
      `SELECT DISTINCT node_id FROM commands
        WHERE state IN ('queued', 'dispatched') AND expires_at > now() AND node_id IS NOT NULL
          AND (dispatched_at IS NULL OR dispatched_at < now() - make_interval(secs => $1))`,
      [seconds],
    );
    return rows.map((row) => row.node_id);
  }

  /** Those commands of these nodes, oldest first: handed down again. */
  overdueOf(nodeIds: string[], seconds: number): Promise<{ id: string; node_id: string }[]> {
    if (nodeIds.length === 0) return Promise.resolve([]);
    return this.commands.query(
      `SELECT id, node_id FROM commands
        WHERE node_id = ANY($2::uuid[]) AND state IN ('queued', 'dispatched') AND expires_at > now()
          AND (dispatched_at IS NULL OR dispatched_at < now() - make_interval(secs => $1))
        ORDER BY created_at LIMIT 1000`,
      [seconds, nodeIds],
    );
  }

  /** Forgets finished commands but `kept`: questions (lists) after a day, the rest after `days`. */
  async deleteFinished(days: number, kept: string[]): Promise<number> {
    const [, deleted] = (await this.commands.query(
      `DELETE FROM commands c WHERE c.finished_at IS NOT NULL
          AND c.finished_at < now() - CASE WHEN c.kind LIKE '%.list' THEN interval '1 day' ELSE make_interval(days => $1) END
          AND c.id <> ALL($2::uuid[])`,
      [days, kept],
    )) as [unknown, number];
    return deleted;
  }

  /** The agent started the command, or reports a step of it. Its kind, or null when it is not this node's or is over. */
  async markRunning(nodeId: string, commandId: string, step?: CommandStep): Promise<string | null> {
    const [rows] = await this.commands.query(
      `UPDATE commands SET state = 'running', started_at = coalesce(started_at, now()), steps = ${WITH_STEP}
        WHERE id = $1 AND node_id = $2 AND state IN ${UNFINISHED} RETURNING kind`,
      [commandId, nodeId, step ? JSON.stringify(step) : null],
    );
    return rows[0]?.kind ?? null;
  }

  /** Records the outcome once; returns the command's kind, or null when it is not this node's or already has one. */
  async finish(nodeId: string, commandId: string, outcome: CommandOutcome): Promise<string | null> {
    const [rows] = await this.commands.query(
      `UPDATE commands SET state = $4, started_at = coalesce(started_at, now()), finished_at = now(), steps = ${WITH_STEP},
                           output = $5, result = $6, error = $7
        WHERE id = $1 AND node_id = $2 AND state IN ${UNFINISHED} RETURNING kind`,
      [commandId, nodeId, outcome.step ? JSON.stringify(outcome.step) : null, outcome.state, outcome.output, outcome.result, outcome.error],
    );
    return rows[0]?.kind ?? null;
  }

  /** Cancels a command that has not started; one that runs is left to its node. */
  async cancel(accountId: string, id: string, reason: string): Promise<CommandEntity | null> {
    const [rows] = await this.commands.query(
      `UPDATE commands SET state = 'cancelled', finished_at = now(), error = $3
        WHERE account_id = $1 AND id = $2 AND state IN ('queued', 'dispatched') RETURNING id`,
      [accountId, id, reason],
    );
    return rows.length > 0 ? this.findOne(accountId, id) : null;
  }

  /** Commands whose node never took them before they expired, or that ran past their deadline. */
  async timeOut(): Promise<{ id: string; account_id: string; node_id: string | null; state: CommandState }[]> {
    const [rows] = await this.commands.query(
      `UPDATE commands c SET state = 'timed_out', finished_at = now(),
              error = CASE WHEN c.state = 'running' THEN 'The command did not finish before its deadline'
                           ELSE 'The node did not take the command before it expired' END
         FROM commands before
        WHERE c.id = before.id AND c.state IN ${UNFINISHED}
          AND ((c.state IN ('queued', 'dispatched') AND c.expires_at <= now()) OR (c.state = 'running' AND c.deadline <= now()))
        RETURNING c.id, c.account_id, c.node_id, before.state`,
    );
    return rows;
  }
}
