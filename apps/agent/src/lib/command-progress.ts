import type { CommandResponse, CommandStep } from '@thresh/protocol';
import { FINISHED_COMMAND_STATES } from '@thresh/protocol';
import ora, { Ora } from 'ora';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubClient } from './hub-client';

const POLL_MS = 500;

export interface FollowOptions {
  timeoutMs: number;
  /** Where step lines go (stdout); a spinner shows the step under way on a terminal. */
  log: (line: string) => void;
  interactive: boolean;
}

const STEP_MARK: Record<CommandStep['status'], string> = { started: '…', done: '✓', failed: '✗' };

export function describeStep(step: CommandStep): string {
  return `${STEP_MARK[step.status]} ${step.name}${step.message ? `: ${step.message}` : ''}`;
}

/** What a command's state says while it waits or runs. */
function waitingText(command: CommandResponse): string {
  if (command.state === 'queued') return `waiting for ${command.nodeName} to come online`;
  if (command.state === 'dispatched') return `handed to ${command.nodeName}, waiting for it to start`;
  const current = command.steps.at(-1);
  return current && current.status === 'started' ? `${current.name} on ${command.nodeName}` : `running on ${command.nodeName}`;
}

/**
 * Follows a command until it finishes or the wait ends, printing each step once as it completes; returns the command
 * as last seen (unfinished when the wait ran out).
 */
export async function followCommand(client: HubClient, command: CommandResponse, options: FollowOptions): Promise<CommandResponse> {
  const spinner: Ora | null = options.interactive ? ora({ text: waitingText(command), stream: process.stderr }).start() : null;
  const deadline = Date.now() + options.timeoutMs;
  let printed = 0;
  let current = command;
  try {
    for (;;) {
      const finished = current.steps.filter((step) => step.status !== 'started');
      for (const step of finished.slice(printed)) {
        spinner?.clear();
        options.log(describeStep(step));
      }
      printed = finished.length;
      if (FINISHED_COMMAND_STATES.includes(current.state) || Date.now() >= deadline) return current;
      if (spinner) spinner.text = waitingText(current);
      await sleep(POLL_MS);
      current = await client.request<CommandResponse>('GET', `/api/commands/${current.id}`);
    }
  } finally {
    spinner?.stop();
  }
}

/** The last lines of a command's output, indented, for a failure report. */
export function outputTail(output: string, lines = 20): string {
  const tail = output.trimEnd().split('\n').slice(-lines);
  return tail.length && tail[0] !== '' ? tail.map((line) => `  | ${line}`).join('\n') : '  (no output)';
}
