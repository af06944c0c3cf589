import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export const DAY_MS = 86_400_000;

// Small deletes keep locks short and the write-ahead log steady while ingest goes on.
const DELETE_BATCH = 10_000;

const startOfUtcDay = (time: number) => Math.floor(time / DAY_MS) * DAY_MS;
const dayLabel = (dayStart: number) => new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '');

/**
 * The daily range partitions of one table (`<table>_pYYYYMMDD`, UTC days) beside its `<table>_default` partition.
 * Days are created ahead of the data; dropping a whole day replaces deleting its rows one by one.
 */
export class DailyPartitions {
  constructor(
    private readonly dataSource: DataSource,
    readonly table: string,
    private readonly column: string,
  ) {}

  /** Creates the partition of every UTC day from `first` to `last` that is missing; returns how many it created. */
  async ensure(first: Date, last: Date): Promise<number> {
    const existing = new Set(await this.days());
    let created = 0;
    for (let day = startOfUtcDay(first.getTime()); day <= last.getTime(); day += DAY_MS) {
      if (existing.has(day)) continue;
      if (await this.create(day)) created++;
    }
    return created;
  }

  /** Drops the partitions whose whole day lies before the cutoff; returns how many it dropped. */
  async dropBefore(cutoff: Date): Promise<number> {
    let dropped = 0;
    for (const day of await this.days()) {
      if (day + DAY_MS > cutoff.getTime()) continue;
      await this.dataSource.query(`DROP TABLE IF EXISTS ${this.partitionName(day)}`);
      dropped++;
    }
    return dropped;
  }

  /** Start times of the days that have a partition, oldest first. */
  async days(): Promise<number[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
      [this.table],
    );
    const pattern = new RegExp(`^${this.table}_p(\\d{4})(\\d{2})(\\d{2})$`);
    return rows
      .map((row) => pattern.exec(row.name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map(([, year, month, day]) => Date.UTC(Number(year), Number(month) - 1, Number(day)))
      .sort((a, b) => a - b);
  }

  private partitionName(dayStart: number): string {
    return `${this.table}_p${dayLabel(dayStart)}`;
  }

  /**
   * Builds the day's table beside the parent, moves in what the default partition caught for that day (attaching over
   * such rows would fail), then attaches it; a lock per table keeps concurrent hubs from racing.
   */
  private async create(dayStart: number): Promise<boolean> {
    const name = this.partitionName(dayStart);
    const [from, to] = [new Date(dayStart).toISOString(), new Date(dayStart + DAY_MS).toISOString()];
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [this.table]);
      const [{ present }] = await manager.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [name]);
      if (present) return false;
      await manager.query(`CREATE TABLE ${name} (LIKE ${this.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await manager.query(
        `WITH moved AS (DELETE FROM ${this.table}_default WHERE ${this.column} >= $1 AND ${this.column} < $2 RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [from, to],
      );
      await manager.query(`ALTER TABLE ${this.table} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
      return true;
    });
  }
}

/** What the retention sweep changes: day partitions, and rows past a cutoff. */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  dailyPartitions(table: string, column: string): DailyPartitions {
    return new DailyPartitions(this.dataSource, table, column);
  }

  /** Deletes the rows before the cutoff, a batch at a time; returns how many it deleted. */
  async deleteBefore(table: string, column: string, cutoff: Date): Promise<number> {
    const sql = `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT ${DELETE_BATCH})`;
    let total = 0;
    for (;;) {
      const [, affected] = (await this.dataSource.query(sql, [cutoff])) as [unknown, number];
      total += affected;
      if (affected < DELETE_BATCH) return total;
    }
  }
}
