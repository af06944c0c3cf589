import { Injectable } from '@nestjs/common';
import type { AgentCommand, CommandProgressEvent } from '@thresh/protocol';
import { EventEmitter } from 'node:events';

/** The midtier key whose midtiers alone may hear about a node's commands; null: the node is on the hub itself. */
interface Carried {
  carrierKeyId: string | null;
}

export interface CommandDispatch extends Carried {
  accountId: string;
  agentId: string;
  command: AgentCommand;
}

export interface CommandProgress {
  accountId: string;
  event: CommandProgressEvent;
}

export interface CommandCancel extends Carried {
  accountId: string;
  agentId: string;
  commandId: string;
}

/** Commands on their way down (the midtier gateway sends them on) and commands that just finished (for waiters). */
@Injectable()
export class CommandEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  dispatch(event: CommandDispatch): void {
    this.emitter.emit('dispatch', event);
  }

  onDispatch(listener: (event: CommandDispatch) => void): () => void {
    this.emitter.on('dispatch', listener);
    return () => this.emitter.off('dispatch', listener);
  }

  cancel(event: CommandCancel): void {
    this.emitter.emit('cancel', event);
  }

  onCancel(listener: (event: CommandCancel) => void): () => void {
    this.emitter.on('cancel', listener);
    return () => this.emitter.off('cancel', listener);
  }

  progressed(progress: CommandProgress): void {
    this.emitter.emit('progress', progress);
  }

  onProgress(listener: (progress: CommandProgress) => void): () => void {
    this.emitter.on('progress', listener);
    return () => this.emitter.off('progress', listener);
  }

  finished(commandId: string): void {
    this.emitter.emit(`finished:${commandId}`);
  }

  /** Resolves when the command finishes here, or after `timeoutMs`; the caller reads the outcome from the database. */
  waitForFinish(commandId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(`finished:${commandId}`, done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once(`finished:${commandId}`, done);
    });
  }
}
