import type { CommandKind, CommandPayload } from '@thresh/protocol';
import type { EnvironmentManager } from '../environments/environment-manager';
import type { DeployProgress } from '../environments/runtime-driver';
import type { StackRunner } from '../stacks/stack-runner';

/** What a handler works with: this node's environments and stacks, and the command's progress and cancellation. */
export interface CommandContext {
  manager: EnvironmentManager;
  stacks: StackRunner;
  progress: DeployProgress;
  signal: AbortSignal;
}

export type CommandHandler<K extends CommandKind> = (payload: CommandPayload<K>, context: CommandContext) => Promise<Record<string, unknown>>;

/** One handler per wire command kind: a kind the hub may send without one here would fail on every node. */
export const COMMAND_HANDLERS: { readonly [K in CommandKind]: CommandHandler<K> } = {
  'blueprints.list': async (_payload, { manager }) => ({ blueprints: manager.catalog.summaries() }),
  'environment.list': async (_payload, { manager }) => ({ environments: await manager.list() }),
  'environment.up': async (payload, { manager, progress, signal }) => ({ environment: await manager.up(payload.blueprint, payload.name, progress, signal, payload.driver) }),
  'environment.start': async (payload, { manager }) => ({ environment: await manager.start(payload.name) }),
  'environment.stop': async (payload, { manager }) => ({ environment: await manager.stop(payload.name) }),
  'environment.destroy': async (payload, { manager }) => {
    await manager.destroy(payload.name);
    return { destroyed: payload.name };
  },
  'stack.deploy': (payload, { stacks, progress, signal }) => stacks.deploy(payload, progress, signal),
  'stack.stop': (payload, { stacks, progress, signal }) => stacks.stop(payload, progress, signal),
};
