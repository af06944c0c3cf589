import { Command } from '@oclif/core';
import { EXIT } from './exit-codes';
import { parseDuration } from './format';
import { HubApiError } from './hub-client';
import { renderTable } from './table';

/** Every thresh command: the exit code of an error survives --json, so scripts can branch on it. */
export abstract class ThreshCommand extends Command {
  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    const exit = error instanceof HubApiError ? error.exitCode : error.oclif?.exit;
    if (typeof exit === 'number') {
      process.exitCode = exit;
      if (error instanceof HubApiError && !this.jsonEnabled()) this.error(error.message, { exit });
    }
    return super.catch(error);
  }

  /** Rows under their header; `empty` instead, when given, while there are none. */
  protected logTable(head: string[], rows: string[][], empty?: string): void {
    this.log(rows.length === 0 && empty !== undefined ? empty : renderTable(head, rows));
  }

  /** A duration flag in milliseconds; anything but "90s", "10m", "1h", "7d" is a usage error (exit 2). */
  protected durationFlag(flag: string, text: string, like = '90s, 10m or 1h'): number {
    const milliseconds = parseDuration(text);
    if (milliseconds === null) this.error(`--${flag} takes a duration like ${like}, not "${text}"`, { exit: EXIT.usage });
    return milliseconds;
  }
}
