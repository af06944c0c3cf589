import { deliveryVerdict } from '@thresh/agent-wire';
import type { CommandUpdate } from '@thresh/protocol';
import type { AgentLink } from '../links/agent-link';

/** Where commands from the hub go, and who hears that the node (re)registered: the CommandRunner, in the daemon. */
export interface CommandHandlers {
  run: (command: unknown) => void;
  cancel: (commandId: string) => void;
  registered: () => void;
}

export interface CommandExecutorOptions {
  /** The registered link, which carries command updates; undefined while there is none. */
  link: () => Pick<AgentLink, 'commandUpdate'> | undefined;
  handlers?: CommandHandlers;
  log: (message: string) => void;
}

/** Hands the commands the registered link brings to their handlers, and carries their updates back to the hub. */
export class CommandExecutor {
  constructor(private readonly options: CommandExecutorOptions) {}

  run(command: unknown): void {
    this.options.handlers?.run(command);
  }

  cancel(commandId: string): void {
    this.options.handlers?.cancel(commandId);
  }

  registered(): void {
    this.options.handlers?.registered();
  }

  /** True once the hub has the update (accepted, known already, or refused as sent); false when it must go again later. */
  async sendUpdate(update: CommandUpdate): Promise<boolean> {
    const link = this.options.link();
    if (!link) return false;
    const result = await link.commandUpdate(update);
    if (result.ok) return true;
    // The session ended under it, the hub is in trouble, or the key needs a fix: it goes again after the next registration.
    if (!this.options.link() || deliveryVerdict(result.error.code) !== 'drop') return false;
    this.options.log(`the hub refused a command update: ${result.error.message}`);
    return true;
  }
}
