import { Command } from '@oclif/core';
import { HubApiError } from './hub-client';

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
}
