import { AgentCommand, agentCommandSchema, CommandKind, CommandPayload, CommandStep, CommandUpdate, MAX_COMMAND_OUTPUT, payloadWithoutSecrets } from '@thresh/protocol';
import { EnvironmentManager } from '../environments/environment-manager';
import { DeployProgress } from '../environments/runtime-driver';
import { StackError, StackRunner } from '../stacks/stack-runner';
import { CommandHandler, COMMAND_HANDLERS } from './command-handlers';
import { CommandJournal } from './command-journal';

export interface CommandRunnerOptions {
  manager: EnvironmentManager;
  journal: CommandJournal;
  /** Sends an update towards the hub; true once the hub acknowledged it. */
  send: (update: CommandUpdate) => Promise<boolean>;
  log: (message: string) => void;
}

const MAX_ERROR = 2000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AGENT_STOPPED = 'The agent stopped while the command ran';

/** Text as the hub accepts it: no NUL characters (binary output of a script, say). */
const clean = (text: string) => text.replace(/\0/g, '\uFFFD');

/**
 * Runs the commands the hub hands down, each once whatever how often it arrives, reporting steps as they happen and
 * the outcome until the hub has heard it.
 */
export class CommandRunner {
  private readonly running = new Map<string, AbortController>();
  /** Whether the journal may hold an outcome the hub has not acknowledged (it is read only then). */
  private resendNeeded = true;

  /** One for every command: it runs a stack's deploys and stops one at a time. */
  private readonly stacks: StackRunner;

  constructor(private readonly options: CommandRunnerOptions) {
    this.stacks = new StackRunner(options.manager);
  }

  /** A command as it arrived from the midtier: checked, then run unless it ran already. */
  handle(raw: unknown): void {
    const parsed = agentCommandSchema.safeParse(raw);
    if (!parsed.success) {
      const problem = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      this.options.log(`refused a command this agent does not understand: ${problem}`);
      // Said to the hub when the command can be named, so nobody waits for it until it expires.
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && UUID.test(id)) void this.options.send({ commandId: id, state: 'failed', error: clean(`this agent cannot run it (${problem})`).slice(0, MAX_ERROR) });
      return;
    }
    void this.run(parsed.data as AgentCommand).catch((error: Error) => this.options.log(`command ${parsed.data.id} broke: ${error.message}`));
  }

  cancel(commandId: string): void {
    this.running.get(commandId)?.abort('cancelled');
  }

  /** The agent is stopping: what runs is abandoned, and its outcome sent by the next agent. */
  shutdown(): void {
    for (const controller of this.running.values()) controller.abort('shutdown');
  }

  /** After (re)registering: outcomes the hub has not acknowledged, and commands a previous run left unfinished. */
  async resendOutcomes(): Promise<void> {
    if (!this.resendNeeded) return;
    this.resendNeeded = false;
    const { journal } = this.options;
    for (const entry of journal.interrupted()) {
      if (this.running.has(entry.id)) continue;
      journal.save({ ...entry, state: 'finished', outcome: { commandId: entry.id, state: 'failed', error: AGENT_STOPPED, output: '' } });
    }
    for (const entry of journal.unacknowledged()) {
      if (entry.outcome && (await this.options.send(entry.outcome))) journal.save({ ...entry, acknowledged: true });
      else this.resendNeeded = true;
    }
  }

  get inFlight(): number {
    return this.running.size;
  }

  private async run(command: AgentCommand): Promise<void> {
    const { journal, send, log } = this.options;
    const seen = journal.get(command.id);
    if (seen) {
      // Handed down again: the hub has not heard the outcome, or the command is still going here.
      if (seen.state === 'finished' && seen.outcome && (await send(seen.outcome))) journal.save({ ...seen, acknowledged: true });
      return;
    }
    journal.save({ id: command.id, kind: command.kind, state: 'running', acknowledged: false });
    const controller = new AbortController();
    this.running.set(command.id, controller);
    const untilDeadline = new Date(command.deadline).getTime() - Date.now();
    const deadlineTimer = setTimeout(() => controller.abort('deadline'), Math.max(0, untilDeadline)).unref();
    // The last MAX_COMMAND_OUTPUT characters of what the command printed.
    let output = '';
    // Steps go out in order, one after the other; a lost one is not worth holding the command for.
    let stepsSent: Promise<unknown> = send({ commandId: command.id, state: 'running' });
    const progress: DeployProgress = {
      step: (name, status, message) => {
        const step: CommandStep = { name, status, at: new Date().toISOString(), ...(message ? { message: clean(message).slice(0, MAX_ERROR) } : {}) };
        stepsSent = stepsSent.then(() => send({ commandId: command.id, state: 'running', step }));
      },
      output: (chunk) => (output = (output + clean(chunk)).slice(-MAX_COMMAND_OUTPUT)),
    };
    log(`running command ${command.id}: ${command.kind} ${JSON.stringify(payloadWithoutSecrets(command.kind, command.payload as Record<string, unknown>))}`);

    let outcome: CommandUpdate;
    try {
      // Too late to start: whoever sent it has stopped waiting.
      if (untilDeadline <= 0) controller.abort('deadline');
      controller.signal.throwIfAborted();
      const result = await this.execute(command, progress, controller.signal);
      outcome = { commandId: command.id, state: 'succeeded', output, result };
    } catch (error) {
      const reason = controller.signal.reason as string | undefined;
      const message = reason === 'deadline' ? 'The command did not finish before its deadline' : (error as Error).message;
      const state = reason === 'cancelled' ? 'cancelled' : 'failed';
      outcome = { commandId: command.id, state, output, error: clean(reason === 'shutdown' ? AGENT_STOPPED : message).slice(0, MAX_ERROR) };
      // A stack that failed still reports each service's state, so the hub knows what runs.
      if (error instanceof StackError) outcome.result = { services: error.services };
    } finally {
      clearTimeout(deadlineTimer);
      this.running.delete(command.id);
    }
    log(`command ${command.id} ${outcome.state}${outcome.error ? `: ${outcome.error}` : ''}`);
    journal.save({ id: command.id, kind: command.kind, state: 'finished', outcome, acknowledged: false });
    await stepsSent;
    if (await send(outcome)) journal.save({ id: command.id, kind: command.kind, state: 'finished', outcome, acknowledged: true });
    else this.resendNeeded = true;
  }

  private execute(command: AgentCommand, progress: DeployProgress, signal: AbortSignal): Promise<Record<string, unknown>> {
    const handler = COMMAND_HANDLERS[command.kind] as CommandHandler<CommandKind>;
    return handler(command.payload as CommandPayload, { manager: this.options.manager, stacks: this.stacks, progress, signal });
  }
}
