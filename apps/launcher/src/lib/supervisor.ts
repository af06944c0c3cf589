import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const STOP_TIMEOUT_MS = 10_000;

/** Starts the system's processes, prefixes their output, and stops them all together. */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null) => void) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = `[${name}]`.padEnd(10);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
    child.on('error', (error) => process.stderr.write(`${prefix}could not start: ${error.message}\n`));
    child.on('exit', (code) => {
      this.children.delete(name);
      if (!this.stopping) this.onUnexpectedExit(name, code);
    });
    this.children.set(name, child);
    return child;
  }

  /** SIGTERM in reverse start order, SIGKILL for whatever has not exited in time. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const [, child] of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
  }
}
