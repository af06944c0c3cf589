import { Flags } from '@oclif/core';
import type { CommandResponse } from '@thresh/protocol';
import { followCommand, outputTail } from './command-progress';
import { EXIT } from './exit-codes';
import { HubClient } from './hub-client';
import { NodeCommand } from './node-command';

/** A command that asks a node to do something through the hub, then follows it to its end (unless --no-wait). */
export abstract class NodeActionCommand extends NodeCommand {
  static override baseFlags = {
    ...NodeCommand.baseFlags,
    wait: Flags.boolean({ description: 'follow the command until it finishes (--no-wait: print it and return)', default: true, allowNo: true }),
    timeout: Flags.string({ description: 'how long to follow it: 90s, 10m, 1h', default: '30m' }),
  };

  /** Follows the command and reports its outcome; a command that did not succeed is exit 5 (exit 1 if still running). */
  protected async follow(client: HubClient, command: CommandResponse, flags: { wait: boolean; timeout: string }, success: (done: CommandResponse) => string): Promise<CommandResponse> {
    const timeoutMs = this.durationFlag('timeout', flags.timeout);
    if (!flags.wait) {
      this.log(`Command ${command.id} ${command.state} (follow it: thresh command info ${command.id})`);
      return command;
    }
    const done = await followCommand(client, command, { timeoutMs, log: (line) => this.log(line), interactive: !this.jsonEnabled() && Boolean(process.stderr.isTTY) });
    if (done.state === 'succeeded') {
      this.log(success(done));
      return done;
    }
    if (done.state === 'queued' || done.state === 'dispatched' || done.state === 'running') {
      process.exitCode = EXIT.failure;
      this.logToStderr(`Still ${done.state} after ${flags.timeout}: the command goes on; follow it with "thresh command info ${done.id}"`);
      return done;
    }
    process.exitCode = EXIT.remote;
    this.logToStderr(`${done.kind} on ${done.nodeName} ${done.state.replace('_', ' ')}: ${done.error ?? 'no reason given'}`);
    if (done.output) this.logToStderr(`Output (last lines):\n${outputTail(done.output)}`);
    return done;
  }
}
