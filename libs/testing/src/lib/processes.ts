import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
export const DIST = resolve(WORKSPACE_ROOT, 'dist/apps');
export const THRESH_BIN = resolve(DIST, 'agent/bin/thresh');

/** Node's arguments for a script: the workspace's TypeScript scripts run as they are, through a register hook. */
export const nodeArgsFor = (script: string): string[] => (script.endsWith('.ts') ? ['-r', '@swc-node/register', script] : [script]);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A built app started as a real process; its output is kept for assertions and failure reports. */
export class AppProcess {
  private output = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return waitFor(`${this.name} to print ${pattern}`, () => {
      const match = this.output.match(pattern);
      if (match) return match;
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode}):\n${this.output}`);
      return undefined;
    }, timeoutMs);
  }

  waitForExit(timeoutMs = 15_000): Promise<number | null> {
    return Promise.race([
      this.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${this.name} did not exit:\n${this.output}`)), timeoutMs).unref()),
    ]);
  }

  /** SIGTERM by pid, then SIGKILL if it lingers. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export function startApp(name: string, script: string, env: NodeJS.ProcessEnv, options: { cwd?: string; args?: string[]; uid?: number; gid?: number } = {}): AppProcess {
  const child = spawn(process.execPath, [resolve(DIST, script), ...(options.args ?? [])], {
    env: { ...process.env, LOG_LEVEL: 'log', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
  });
  return new AppProcess(name, child);
}

/** Runs the real thresh binary to completion, with `input` on its standard input when given. */
export function runThresh(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [THRESH_BIN, ...args], {
      // Plain output, as a script sees it, whatever the test runner's terminal.
      env: { ...process.env, THRESH_TOKEN: '', THRESH_HUB: '', FORCE_COLOR: '0', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}
