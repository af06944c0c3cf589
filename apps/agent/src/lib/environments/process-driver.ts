import { backoffDelay } from '@thresh/agent-wire';
import { Blueprint, EnvironmentInfo, EnvironmentState } from '@thresh/protocol';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeployOptions, DeployProgress, EnvironmentError, RestartPolicy, RuntimeDriver } from './runtime-driver';

/** What the process driver keeps of an environment, in its folder's environment.json. */
export interface ProcessEnvironmentRecord {
  name: string;
  blueprint: Blueprint;
  createdAt: string;
  /** What the owner asked for; the supervisor keeps the command running while this says so. */
  desired: 'running' | 'stopped';
  status: EnvironmentState;
  pid: number | null;
  /** The process's start time in clock ticks, so a recycled pid is not taken for the command. */
  pidStartTicks: string | null;
  restarts: number;
  error: string | null;
  /** Process group of a setup or post-install script under way, so destroy and the next agent can stop it. */
  scriptPid?: number | null;
  /** Who manages it ("stack:web"); records of older agents have none. */
  owner?: string | null;
  /** A digest of what was deployed, set by whoever manages it. */
  revision?: string | null;
  /** When the supervisor starts the command again after it exits; 'on-failure' when absent (older records). */
  restart?: RestartPolicy;
}

/** How a command this process started ended: a code, or the signal that killed it. */
interface CommandExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STOP_GRACE_MS = 10_000;
// How long a freshly started command must stay up to count as started.
const START_SETTLE_MS = 700;
const RESTART_CAP_MS = 60_000;
const PORT_WAIT_MS = 30_000;

/** Whether something accepts connections on this port of this machine. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Refuses ports something already listens on: a second server there would fail, or worse, seem to work. */
async function assertPortsFree(ports: number[]): Promise<void> {
  const taken = await Promise.all(
    ports.map(
      (port) =>
        new Promise<number | null>((resolve) => {
          const probe = createServer();
          probe.once('error', () => resolve(port));
          probe.listen(port, () => probe.close(() => resolve(null)));
        }),
    ),
  );
  const inUse = taken.filter((port) => port !== null);
  if (inUse.length > 0) throw new EnvironmentError(`port ${inUse.join(', ')} already in use on this node`);
}

/** Start time of a live process (field 22 of /proc/<pid>/stat), or null when there is no such process. */
function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(record: ProcessEnvironmentRecord): boolean {
  if (record.pid === null) return false;
  const ticks = processStartTicks(record.pid);
  if (ticks !== null) return ticks === record.pidStartTicks;
  if (existsSync('/proc/self/stat')) return false;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch {
    return false;
  }
}

const variableName = (volume: string) => `THRESH_VOLUME_${volume.toUpperCase().replace(/-/g, '_')}`;

/** Why a command that ended is not running, for the error a user sees; null when it ended well (exit code 0). */
function failureOf(exit: CommandExit | null): string | null {
  if (exit === null) return 'the command exited (started by a previous agent, so its exit code is unknown)';
  if (exit.code === 0) return null;
  return exit.code === null ? `the command was killed by signal ${exit.signal}` : `the command exited with code ${exit.code}`;
}

/**
 * Environments as folders under the thresh home, running on the host: scripts run with the blueprint's environment,
 * and the command runs in a process group of its own, so it outlives the agent and is adopted again by the next one.
 */
export class ProcessDriver implements RuntimeDriver {
  readonly name = 'process' as const;
  /** Commands this process started and still holds: their exit is heard at once. */
  private readonly children = new Map<string, ChildProcess>();
  private readonly nextRestartAt = new Map<string, number>();
  /** Environments this process is deploying right now. */
  private readonly deploying = new Set<string>();
  /** How the commands this process started ended, by environment: a command adopted from a previous agent has none. */
  private readonly exits = new Map<string, CommandExit>();

  constructor(private readonly root: string) {}

  async available(): Promise<boolean> {
    return true;
  }

  async up(name: string, blueprint: Blueprint, progress: DeployProgress, signal: AbortSignal, options: DeployOptions = {}): Promise<EnvironmentInfo> {
    this.deploying.add(name);
    try {
      return await this.deploy(name, blueprint, progress, signal, options);
    } finally {
      this.deploying.delete(name);
    }
  }

  private async deploy(name: string, blueprint: Blueprint, progress: DeployProgress, signal: AbortSignal, options: DeployOptions): Promise<EnvironmentInfo> {
    const folder = this.folder(name);
    // A folder without environment.json holds only the volumes a destroy kept: this deployment takes them over.
    if (existsSync(this.recordFile(name))) {
      const existing = this.tryRead(name);
      throw new EnvironmentError(`environment "${name}" already exists${existing ? ` (${existing.status})` : ''}; destroy it first`, 'conflict');
    }
    const record: ProcessEnvironmentRecord = {
      name,
      blueprint,
      createdAt: new Date().toISOString(),
      desired: 'running',
      status: 'deploying',
      pid: null,
      pidStartTicks: null,
      restarts: 0,
      error: null,
      owner: options.owner ?? null,
      revision: options.revision ?? null,
      restart: options.restart ?? 'on-failure',
    };
    const step = async (stepName: string, run: () => Promise<void>) => {
      progress.step(stepName, 'started');
      try {
        if (signal.aborted) throw new EnvironmentError(`deployment of "${name}" was cancelled`);
        await run();
        progress.step(stepName, 'done');
      } catch (error) {
        const message = (error as Error).message;
        progress.step(stepName, 'failed', message);
        // A half-built environment is kept for inspection, never started by the supervisor.
        this.save({ ...this.tryRead(name), ...record, desired: 'stopped', status: 'error', error: `${stepName}: ${message}` });
        if (record.pid !== null) await this.terminate(record);
        throw error instanceof EnvironmentError ? error : new EnvironmentError(message);
      }
    };

    await step('prepare', async () => {
      for (const sub of ['workspace', 'logs', ...blueprint.volumes.map((volume) => join('volumes', volume))]) mkdirSync(join(folder, sub), { recursive: true });
      this.save(record);
    });
    if (blueprint.packages.length > 0) await step('packages', async () => this.checkPackages(blueprint.packages, progress));
    for (const script of ['setup', 'postInstall'] as const) {
      const text = blueprint.scripts[script];
      if (text) await step(script, () => this.runScript(record, script, text, progress, signal));
    }
    if (blueprint.command) {
      await step('start', async () => {
        await assertPortsFree(blueprint.ports);
        Object.assign(record, this.launch(record));
        await this.waitUntilStarted(record);
      });
    }
    // A stop that came in meanwhile wins.
    this.save({ ...record, desired: this.read(name).desired, status: 'running' });
    return this.info(this.read(name));
  }

  async start(name: string): Promise<EnvironmentInfo> {
    const record = this.read(name);
    if (record.blueprint.command && !isAlive(record)) {
      await assertPortsFree(record.blueprint.ports);
      Object.assign(record, this.launch(record));
      this.save({ ...record, desired: 'running', status: 'running', error: null });
      await this.waitUntilStarted(record);
    }
    this.nextRestartAt.delete(name);
    this.save({ ...record, desired: 'running', status: 'running', error: null });
    return this.info(this.read(name));
  }

  async stop(name: string): Promise<EnvironmentInfo> {
    const record = this.read(name);
    this.save({ ...record, desired: 'stopped' });
    await this.terminate(record);
    this.save({ ...this.read(name), status: 'stopped', pid: null, pidStartTicks: null, error: null });
    return this.info(this.read(name));
  }

  async destroy(name: string, options: { keepVolumes?: boolean } = {}): Promise<void> {
    const record = this.read(name);
    this.save({ ...record, desired: 'stopped' });
    if (record.scriptPid) this.killGroup(record.scriptPid, 'SIGKILL');
    await this.terminate(record);
    const folder = this.folder(name);
    const volumes = join(folder, 'volumes');
    if (options.keepVolumes && existsSync(volumes) && readdirSync(volumes).length > 0) {
      // environment.json first: from then on the folder is no environment, only volumes waiting for the next `up`.
      rmSync(this.recordFile(name), { force: true });
      for (const entry of readdirSync(folder)) if (entry !== 'volumes') rmSync(join(folder, entry), { recursive: true, force: true });
    } else {
      rmSync(folder, { recursive: true, force: true });
    }
    this.nextRestartAt.delete(name);
    this.exits.delete(name);
  }

  async list(): Promise<EnvironmentInfo[]> {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .map((name) => this.tryRead(name))
      .filter((record): record is ProcessEnvironmentRecord => record !== null)
      .map((record) => this.info(record));
  }

  /** Deployments a previous agent left half done (it stopped during one): marked failed, their scripts stopped. */
  async recoverInterrupted(): Promise<string[]> {
    const recovered: string[] = [];
    for (const info of await this.list()) {
      const record = this.tryRead(info.name);
      if (!record || record.status !== 'deploying' || this.deploying.has(record.name)) continue;
      if (record.scriptPid !== null && record.scriptPid !== undefined) this.killGroup(record.scriptPid, 'SIGKILL');
      this.save({ ...record, desired: 'stopped', status: 'error', error: 'the deployment was interrupted (the agent stopped during it)', scriptPid: null });
      recovered.push(record.name);
    }
    return recovered;
  }

  /**
   * Keeps every command that should run running, as its restart policy says: adopts what a previous agent started,
   * restarts what ended (backing off while it keeps dying), settles what is not to be restarted as stopped or error.
   * Returns the names it restarted.
   */
  async supervise(now = Date.now()): Promise<string[]> {
    const restarted: string[] = [];
    for (const info of await this.list()) {
      const record = this.tryRead(info.name);
      if (!record || record.desired !== 'running' || !record.blueprint.command || record.status === 'deploying' || record.status === 'stopped') continue;
      if (isAlive(record)) {
        if (record.status !== 'running') this.save({ ...record, status: 'running', error: null });
        continue;
      }
      // Ours, gone from /proc but its exit not heard yet: decide on the next pass, knowing how it ended.
      if (this.children.get(record.name)?.pid === record.pid) continue;
      const failure = failureOf(this.exitOf(record));
      const policy = record.restart ?? 'on-failure';
      if (policy === 'no' || (policy === 'on-failure' && failure === null)) {
        // Same second look as before a restart: a local "thresh stop" or "destroy" wins over this.
        if (this.tryRead(record.name)?.desired !== 'running' || this.deploying.has(record.name)) continue;
        // Desired becomes stopped too, so a later pass does not take the ended command for one to restart.
        this.save({ ...record, desired: 'stopped', status: failure === null ? 'stopped' : 'error', pid: null, pidStartTicks: null, error: failure });
        this.nextRestartAt.delete(record.name);
        this.exits.delete(record.name);
        continue;
      }
      const due = this.nextRestartAt.get(record.name) ?? now;
      if (now < due) continue;
      // A local "thresh stop" or "destroy" may have just changed it: look once more before starting anything.
      if (this.tryRead(record.name)?.desired !== 'running' || this.deploying.has(record.name)) continue;
      const restarts = record.restarts + 1;
      this.nextRestartAt.set(record.name, now + backoffDelay(restarts, 1000, RESTART_CAP_MS));
      this.save({ ...record, ...this.launch(record), restarts, status: 'running', error: null });
      restarted.push(record.name);
    }
    return restarted;
  }

  private launch(record: ProcessEnvironmentRecord): Pick<ProcessEnvironmentRecord, 'pid' | 'pidStartTicks'> {
    const folder = this.folder(record.name);
    mkdirSync(join(folder, 'logs'), { recursive: true });
    const log = openSync(join(folder, 'logs', 'command.log'), 'a');
    try {
      const child = spawn('sh', ['-c', record.blueprint.command as string], {
        cwd: join(folder, 'workspace'),
        env: this.environmentOf(record),
        detached: true,
        stdio: ['ignore', log, log],
      });
      child.unref();
      if (child.pid === undefined) throw new EnvironmentError('the command could not be started');
      const pid = child.pid;
      this.children.set(record.name, child);
      this.exits.delete(record.name);
      child.once('exit', (code, signal) => {
        if (this.children.get(record.name) !== child) return;
        this.children.delete(record.name);
        this.exits.set(record.name, { pid, code, signal });
      });
      return { pid, pidStartTicks: processStartTicks(pid) };
    } finally {
      closeSync(log);
    }
  }

  /** Started means: still alive after a moment, and listening on each of its ports (within PORT_WAIT_MS). */
  private async waitUntilStarted(record: ProcessEnvironmentRecord): Promise<void> {
    const exitedEarly = () => new EnvironmentError(`the command exited at once; its log ends with:\n${this.logTail(record.name)}`);
    await sleep(START_SETTLE_MS);
    for (const started = Date.now(); ; await sleep(200)) {
      if (!isAlive(record)) throw exitedEarly();
      const closed = (await Promise.all(record.blueprint.ports.map(async (port) => ((await accepts(port)) ? null : port)))).filter((port) => port !== null);
      if (closed.length === 0) return;
      if (Date.now() - started > PORT_WAIT_MS) {
        await this.terminate(record);
        throw new EnvironmentError(`the command did not open port ${closed.join(', ')} within ${PORT_WAIT_MS / 1000}s; its log ends with:\n${this.logTail(record.name)}`);
      }
    }
  }

  private async terminate(record: ProcessEnvironmentRecord): Promise<void> {
    if (record.pid === null || !isAlive(record)) return;
    this.killGroup(record.pid, 'SIGTERM');
    for (const started = Date.now(); Date.now() - started < STOP_GRACE_MS; await sleep(100)) {
      if (!isAlive(record)) return;
    }
    this.killGroup(record.pid, 'SIGKILL');
  }

  private killGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  private async runScript(record: ProcessEnvironmentRecord, script: string, text: string, progress: DeployProgress, signal: AbortSignal): Promise<void> {
    const folder = this.folder(record.name);
    const log = openSync(join(folder, 'logs', `${script}.log`), 'a');
    try {
      const child = spawn('sh', ['-c', text], { cwd: join(folder, 'workspace'), env: this.environmentOf(record), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid !== undefined) this.save({ ...record, scriptPid: child.pid });
      const forward = (chunk: Buffer) => {
        progress.output(chunk.toString('utf8'));
        writeFileSync(log, chunk);
      };
      child.stdout?.on('data', forward);
      child.stderr?.on('data', forward);
      const abort = () => child.pid !== undefined && this.killGroup(child.pid, 'SIGKILL');
      signal.addEventListener('abort', abort, { once: true });
      try {
        const [code, killedBy] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
          child.once('error', (error) => reject(new EnvironmentError(`${script} script could not run: ${error.message}`)));
          // On exit, not on close: a background process the script left holding its output must not hold the deployment.
          child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
        });
        await sleep(50);
        if (signal.aborted) throw new EnvironmentError(`${script} script stopped: the deployment was cancelled`);
        if (code !== 0) throw new EnvironmentError(`${script} script exited with ${code === null ? `signal ${killedBy}` : `code ${code}`}`);
      } finally {
        signal.removeEventListener('abort', abort);
        child.stdout?.destroy();
        child.stderr?.destroy();
        this.save({ ...this.read(record.name), scriptPid: null });
      }
    } finally {
      closeSync(log);
    }
  }

  private async checkPackages(packages: string[], progress: DeployProgress): Promise<void> {
    const hasDpkg = spawnSync('sh', ['-c', 'command -v dpkg-query'], { stdio: 'ignore' }).status === 0;
    const missing = packages.filter((name) => {
      const probe = hasDpkg ? `dpkg-query -W -f='\${Status}' ${name} 2>/dev/null | grep -q 'ok installed' || command -v ${name}` : `command -v ${name}`;
      return spawnSync('sh', ['-c', probe], { stdio: 'ignore' }).status !== 0;
    });
    progress.output(`packages: ${packages.filter((name) => !missing.includes(name)).join(', ') || 'none'} present${missing.length ? `; missing: ${missing.join(', ')}` : ''}\n`);
    if (missing.length > 0) {
      throw new EnvironmentError(`not installed on this host: ${missing.join(', ')} (the process driver does not install packages: install them, or deploy with the docker driver)`);
    }
  }

  private environmentOf(record: ProcessEnvironmentRecord): NodeJS.ProcessEnv {
    const folder = this.folder(record.name);
    const volumes = Object.fromEntries(record.blueprint.volumes.map((volume) => [variableName(volume), join(folder, 'volumes', volume)]));
    const port = record.blueprint.ports[0];
    return {
      ...process.env,
      THRESH_ENVIRONMENT: record.name,
      THRESH_ENVIRONMENT_DIR: folder,
      ...(port === undefined ? {} : { PORT: String(port) }),
      ...volumes,
      ...record.blueprint.environment,
    };
  }

  private info(record: ProcessEnvironmentRecord): EnvironmentInfo {
    const alive = isAlive(record);
    let status = record.status;
    if (record.blueprint.command && record.status === 'running' && !alive) status = 'error';
    return {
      name: record.name,
      blueprint: record.blueprint.name,
      driver: 'process',
      status,
      createdAt: record.createdAt,
      ports: record.blueprint.ports,
      runningAs: alive ? String(record.pid) : null,
      restarts: record.restarts,
      error: status === 'error' ? (record.error ?? 'the command is not running') : null,
      owner: record.owner ?? null,
      revision: record.revision ?? null,
    };
  }

  /** How the record's command ended, when this process started it and heard it end; null when that is unknown. */
  private exitOf(record: ProcessEnvironmentRecord): CommandExit | null {
    const exit = this.exits.get(record.name);
    return exit !== undefined && exit.pid === record.pid ? exit : null;
  }

  private logTail(name: string): string {
    try {
      return readFileSync(join(this.folder(name), 'logs', 'command.log'), 'utf8').split('\n').slice(-10).join('\n');
    } catch {
      return '(no output)';
    }
  }

  private folder(name: string): string {
    return join(this.root, name);
  }

  private read(name: string): ProcessEnvironmentRecord {
    const record = this.tryRead(name);
    if (!record) throw new EnvironmentError(`no environment named "${name}"`, 'not_found');
    return record;
  }

  private recordFile(name: string): string {
    return join(this.folder(name), 'environment.json');
  }

  private tryRead(name: string): ProcessEnvironmentRecord | null {
    try {
      return JSON.parse(readFileSync(this.recordFile(name), 'utf8')) as ProcessEnvironmentRecord;
    } catch {
      return null;
    }
  }

  private save(record: ProcessEnvironmentRecord): void {
    const file = this.recordFile(record.name);
    writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
    renameSync(`${file}.tmp`, file);
  }
}
