// Shared by the benchmark figures (run.ts): processes, databases, the built hub and midtier, the fleet simulator,
// percentiles, and per-process memory and CPU read from /proc.
import type { MetricSample } from '@thresh/protocol';
import { agentRegistration, createTestDatabase, freePort, HubApi, metricSample, nodeArgsFor, TestDatabase, waitFor, withClient, WORKSPACE_ROOT } from '@thresh/testing';
import { transformFileSync } from '@swc/core';
import { ChildProcess, spawn, spawnSync, StdioOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, Socket } from 'socket.io-client';
import WebSocket from 'ws';

export { freePort, sleep, withClient };
export const ROOT = WORKSPACE_ROOT;
export const ADMIN_PASSWORD = 'bench-password';
/** The server the figures make their databases on; useEmbeddedPostgres() points it elsewhere. */
export const postgres = { url: process.env['THRESH_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres' };

/** What a figure measured: a row of the table, with its note and the commands it started. */
export interface FigureResult {
  measured: string;
  baseline: string;
  ratio: string;
  pass: boolean;
  note: string;
  commands: string[];
  /** A promise the system broke (a sample lost, a request failed): fails the run at any size. */
  broken?: string;
  details?: unknown;
}

/** --smoke, and --agents when given. */
export type SizeOptions = { smoke: boolean; agents?: number };

export interface Figure<Size> {
  id: string;
  number: number;
  title: string;
  target: string;
  size(options: SizeOptions): Size;
  describeSize(size: Size): string;
  run(size: Size, log: (message: string) => void): Promise<FigureResult>;
}

/** A figure, its size's type read from its size(). */
export const figure = <Size>(definition: Figure<Size>) => definition;

// ---- numbers ----

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export type Summary = ReturnType<typeof summarize>;

export function summarize(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  const sum = sorted.reduce((total, value) => total + value, 0);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN, mean: sum / sorted.length };
}

export const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`) : 'n/a');
export const int = (value: number) => Math.round(value).toLocaleString('en-US');
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

// ---- /proc ----

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status). */
function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** The median of a few readings a little apart: one reading can land on a garbage collection. */
export async function steadyRss(pid: number, readings = 5, gapMs = 400): Promise<number> {
  const values = [];
  for (let index = 0; index < readings; index++) {
    if (index > 0) await sleep(gapMs);
    values.push(rssBytes(pid));
  }
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Busy CPU ticks of the whole machine, all cores (/proc/stat: user, nice, system, irq, softirq, steal). */
function machineTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
}

/** Every PostgreSQL server process on this machine (backends included), found by name in /proc. */
function postgresPids(): number[] {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** CPU use per named group of processes, in % of one core. */
type CpuUsage = Record<string, number>;

/**
 * CPU use over a window, per named group of processes, in % of one core: what "the profile" of a run says.
 *   const cpu = cpuMeter({ hub: [hubPid], midtier: [pid] }); … const usage = cpu.stop(); // { hub: 93, midtier: 40, postgres: 61 }
 * PostgreSQL's processes are found anew at the end too, so backends started meanwhile count.
 */
export function cpuMeter(groups: Record<string, number[]>, { withPostgres = true } = {}): { stop(): CpuUsage } {
  const started = Date.now();
  const machineBefore = machineTicks();
  const before = new Map<number, number>();
  // The bench's own process too: it is the client of some figures.
  const allGroups = () => ({ ...groups, 'bench runner': [process.pid], ...(withPostgres ? { postgres: postgresPids() } : {}) });
  for (const pids of Object.values(allGroups())) for (const pid of pids) before.set(pid, cpuTicks(pid));
  return {
    stop() {
      const seconds = (Date.now() - started) / 1000;
      const usage: CpuUsage = {};
      for (const [name, pids] of Object.entries(allGroups())) {
        const ticks = pids.reduce((total, pid) => total + Math.max(0, cpuTicks(pid) - (before.get(pid) ?? 0)), 0);
        usage[name] = Math.round((100 * ticks) / CLOCK_TICKS / seconds);
      }
      if (usage['bench runner'] < 5) delete usage['bench runner'];
      // Whatever else ran on the machine meanwhile (another job sharing the cores skews every figure).
      const others = Math.round((100 * (machineTicks() - machineBefore)) / CLOCK_TICKS / seconds) - Object.values(usage).reduce((total, percent) => total + percent, 0);
      if (others >= 5) usage['other processes'] = others;
      return usage;
    },
  };
}

export const describeCpu = (usage: CpuUsage) =>
  Object.entries(usage)
    .map(([name, percent]) => `${name} ${percent}%`)
    .join(', ');

// ---- open files ----

function shellLimit(flag: string): number {
  const limit = spawnSync('sh', ['-c', `ulimit ${flag}`]).stdout.toString().trim();
  return limit === 'unlimited' ? Infinity : Number(limit);
}

/** The open-files limit children get, and whether `ulimit -n 65536` may raise it (root without CAP_SYS_RESOURCE may not). */
const FD_LIMIT = { soft: shellLimit('-n'), hard: shellLimit('-Hn'), raisable: spawnSync('sh', ['-c', 'ulimit -n 65536']).status === 0 };

export function describeFdLimit(): string {
  const { soft, hard, raisable } = FD_LIMIT;
  return raisable
    ? `open files: ${soft} (hard ${hard}); children run with \`ulimit -n 65536\``
    : `open files: ${soft} (hard ${hard}); \`ulimit -n 65536\` is refused here (no CAP_SYS_RESOURCE), so every process is kept under it: ` +
        'agents are spread over several simulator processes, and each server holds at most one socket per agent';
}

/** Fails early when one process would need more descriptors than it may open. */
export function checkDescriptors(what: string, sockets: number): void {
  const limit = FD_LIMIT.raisable ? 65_536 : FD_LIMIT.soft;
  if (sockets + 200 > limit) throw new Error(`${what} would hold ${sockets} sockets, above the open-files limit of ${limit} (see ulimit -n)`);
}

// ---- processes ----

export type BenchChild = ChildProcess & { pid: number; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

/** stderr 'filtered' (the default): the child's lines, prefixed with its name, but the inspector's chatter; shownEnv: the environment as the printed command shows it. */
type StartOptions = { env?: NodeJS.ProcessEnv; stdout?: 'ignore' | 'pipe'; stderr?: 'filtered' | 'pipe' | 'inherit'; shownEnv?: Record<string, string | number> };

/**
 * The processes one figure starts; each is ended by its pid, never by name. `start` runs node with the open-files
 * limit raised when that is allowed (`sh -c 'ulimit -n 65536 && exec node …'`: exec keeps the pid node's).
 */
export class Processes {
  private readonly children = new Set<BenchChild>();
  readonly commands: string[] = [];

  start(name: string, script: string, args: string[] = [], { env = {}, stdout = 'ignore', stderr = 'filtered', shownEnv = {} }: StartOptions = {}): BenchChild {
    // BENCH_CPU_PROF_DIR=<dir> writes a CPU profile of each hub and midtier there when it exits: what a figure spends.
    const profileDir = process.env['BENCH_CPU_PROF_DIR'];
    const profile = profileDir && /apps\/(hub|midtier)\//.test(script) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const nodeArgs = [...profile, ...nodeArgsFor(script), ...args];
    const quoted = nodeArgs.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');
    const shown = Object.entries(shownEnv)
      .map(([key, value]) => `${key}=${value} `)
      .join('');
    this.commands.push(`${shown}node ${quoted}`);
    const fullEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
    const stdio: StdioOptions = ['ignore', stdout, stderr === 'filtered' ? 'pipe' : stderr];
    const spawned: ChildProcess = FD_LIMIT.raisable
      ? spawn('sh', ['-c', `ulimit -n 65536 && exec "${process.execPath}" ${quoted}`], { cwd: ROOT, env: fullEnv, stdio })
      : spawn(process.execPath, nodeArgs, { cwd: ROOT, env: fullEnv, stdio });
    if (stderr === 'filtered' && spawned.stderr) {
      lineReaderOn(spawned.stderr, (line) => {
        if (line.trim() && !/^(Debugger (listening|attached|ending)|For help, see: https:\/\/nodejs.org)/.test(line)) process.stderr.write(`  [${name}] ${line}\n`);
      });
    }
    const child = Object.assign(spawned, {
      pid: spawned.pid ?? 0,
      exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => spawned.once('exit', (code, signal) => resolveExit({ code, signal }))),
    });
    child.once('exit', () => this.children.delete(child));
    this.children.add(child);
    return child;
  }

  /** Signals the child by pid and waits for it to exit (SIGKILL after `graceMs`). */
  async stop(child: BenchChild | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exited;
    signalPid(child.pid, signal);
    const outcome = await Promise.race([child.exited, sleep(graceMs).then(() => undefined)]);
    if (outcome) return outcome;
    signalPid(child.pid, 'SIGKILL');
    return child.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].reverse().map((child) => this.stop(child)));
  }

  /** Synchronous, for process exit: SIGKILL by pid. */
  killAllNow(): void {
    for (const child of this.children) signalPid(child.pid, 'SIGKILL');
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** Every Processes and database of the run, so that an interrupted run still cleans up. */
export const registry = { processes: new Set<Processes>(), databases: new Set<TestDatabase>(), tempDirs: new Set<string>() };

function newProcesses(): Processes {
  const processes = new Processes();
  registry.processes.add(processes);
  return processes;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  registry.tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  registry.tempDirs.delete(dir);
}

// ---- PostgreSQL ----

/**
 * `npm start`'s own embedded server (`main.cjs database`, as `npm run db`), on a data folder of the run's own: the
 * figures that follow make their databases there.
 */
export async function useEmbeddedPostgres(): Promise<{ stop(): Promise<void> }> {
  // Not a registered temp dir either: a failed figure's clean-up must not take the running server's folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
  const launcher = join(ROOT, 'dist/apps/launcher/main.cjs');
  if (!existsSync(launcher)) throw new Error(`${launcher} is missing: npx nx run launcher:build`);
  // Not in the registry: SIGKILL would leave the server running; stop() ends it as Ctrl-C does.
  const processes = new Processes();
  const child = processes.start('embedded PostgreSQL', launcher, ['database'], { env: { THRESH_DATA_DIR: dataDir, DATABASE_URL: '' }, stdout: 'pipe' });
  const lines = lineReader(child.stdout);
  for (;;) {
    const line = await lines.next(60_000);
    if (line === undefined) throw new Error(`the embedded PostgreSQL did not start (exit ${child.exitCode})`);
    if (line.startsWith('Database: ')) break;
  }
  const { database } = JSON.parse(readFileSync(join(dataDir, 'local-credentials.json'), 'utf8'));
  postgres.url = `postgres://thresh:${encodeURIComponent(database.password)}@127.0.0.1:${database.port}/postgres`;
  return {
    async stop() {
      await processes.stop(child, 'SIGINT', 60_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh database for one figure; `drop()` removes it (WITH (FORCE): the hub's pool may still hold connections). */
async function createDatabase(figure: string): Promise<TestDatabase> {
  const database = await createTestDatabase(`bench_${figure}`, postgres.url);
  registry.databases.add(database);
  return {
    ...database,
    async drop() {
      await database.drop();
      registry.databases.delete(database);
    },
  };
}

export const query = <Row extends object>(url: string, text: string, values?: unknown[]): Promise<Row[]> =>
  withClient(url, async (client) => (await client.query<Row>(text, values)).rows);

// ---- the built apps ----

export function ensureBuilt(): void {
  const missing = ['dist/apps/hub/main.js', 'dist/apps/midtier/main.js', 'dist/apps/fleet-sim/main.js'].filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length === 0) return;
  console.log(`[bench] ${missing.join(', ')} missing: building hub, midtier and fleet-sim…`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'hub', 'midtier', 'fleet-sim'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
}

async function httpOk(url: string, check = async (response: Response) => response.ok): Promise<boolean> {
  try {
    return await check(await fetch(url));
  } catch {
    return false;
  }
}

/** The built hub on a fresh port against `dbUrl`, logged in as admin (`login`: the session). */
async function startHub(processes: Processes, dbUrl: string, extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = (database: string, password: string) => ({ DATABASE_URL: database, HUB_PORT: String(port), HUB_HOST: '127.0.0.1', THRESH_ADMIN_PASSWORD: password, HUB_RATE_LIMIT_PER_MINUTE: '100000000', ...extraEnv });
  const child = processes.start('hub', 'dist/apps/hub/main.js', [], { env: env(dbUrl, ADMIN_PASSWORD), shownEnv: env('<fresh database>', '…') });
  await waitFor('the hub to be ready', async () => {
    if (child.exitCode !== null) throw new Error(`the hub exited with code ${child.exitCode}`);
    return httpOk(`${url}/health/ready`);
  }, 90_000);
  const api = new HubApi(url);
  const login = await api.login('admin', ADMIN_PASSWORD);
  return {
    url, child, pid: child.pid, login, token: login.token,
    post: <T>(path: string, body: unknown) => api.requestOk<T>('POST', path, body),
    get: <T>(path: string) => api.requestOk<T>('GET', path),
    createKey: (type: 'agent' | 'midtier') => api.createKey(type, `bench-${type}-${Date.now()}`),
  };
}

/** Resolves once the Socket.IO client is connected; rejects on its connect error. */
export const connected = (socket: Socket) =>
  new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });

/** Registers one node per agent id, named node-00000 on, 100 at a time: much faster than as many agents. */
async function registerNodes(midtier: Socket, agentKey: string, agentIds: string[]): Promise<void> {
  for (let first = 0; first < agentIds.length; first += 100) {
    await Promise.all(
      agentIds.slice(first, first + 100).map(async (agentId, offset) => {
        const registration = agentRegistration({ agentId, nodeName: `node-${String(first + offset).padStart(5, '0')}`, cpuCores: 4 });
        const ack = await midtier.timeout(60_000).emitWithAck('node:register', { key: agentKey, connectionId: randomUUID(), registration });
        if (!ack.ok) throw new Error(`node:register: ${JSON.stringify(ack)}`);
      }),
    );
  }
}

type HubWithNodes = { processes: Processes; db: TestDatabase; hub: Awaited<ReturnType<typeof startHub>>; midtier: Socket; agentIds: string[]; registeringSince: number };

/**
 * Runs `work` on a fresh database and a hub holding `count` registered nodes, registered through the hub's /midtier
 * namespace as a midtier would (`midtier`: that link). What it started is ended, and the database dropped, however `work` ends.
 */
export async function withHubAndNodes<T>(figureId: string, count: number, work: (setup: HubWithNodes) => Promise<T>): Promise<T> {
  const processes = newProcesses();
  const db = await createDatabase(figureId);
  let midtier: Socket | undefined;
  try {
    const hub = await startHub(processes, db.url);
    const midtierKey = await hub.createKey('midtier');
    const agentKey = await hub.createKey('agent');
    midtier = await connected(io(`${hub.url}/midtier`, { auth: { key: midtierKey }, transports: ['websocket'], reconnection: false }));
    const registeringSince = Date.now();
    const agentIds = Array.from({ length: count }, () => randomUUID());
    await registerNodes(midtier, agentKey, agentIds);
    return await work({ processes, db, hub, midtier, agentIds, registeringSince });
  } finally {
    midtier?.close();
    await processes.stopAll();
    await db.drop();
  }
}

/** A sample of a node under some load; `overrides` as metricSample()'s. */
export const loadedSample = (overrides: Partial<MetricSample> = {}) =>
  metricSample({ cpuPercent: Math.random() * 100, memoryUsedBytes: Math.round(Math.random() * 8e9), memoryTotalBytes: 8e9, diskUsedBytes: 5e10, diskTotalBytes: 1e11, containersRunning: 2, ...overrides });

/** Sends each agent's sample through the midtier link, 1,000 a batch. */
export async function reportSamples(midtier: Socket, samples: (MetricSample & { agentId: string })[]): Promise<void> {
  for (let first = 0; first < samples.length; first += 1000) {
    const ack = await midtier.timeout(60_000).emitWithAck('metrics:batch', { samples: samples.slice(first, first + 1000) });
    if (!ack.ok) throw new Error(`metrics:batch: ${JSON.stringify(ack)}`);
  }
}

export type MidtierHealth = { agentsConnected: number; agentsPolling: number; hub: { connected: boolean } };

type Pipeline = { processes: Processes; db: TestDatabase; spoolDir: string; hub: Awaited<ReturnType<typeof startHub>>; agentKey: string; midtierKey: string; midtier: Awaited<ReturnType<typeof startMidtier>> };

/**
 * Runs `work` on the pipeline most figures measure: a fresh database, a hub on it, an agent key, and one midtier
 * attached to the hub, checked first to be able to hold `agents` sockets. What it started is ended, and the database
 * and spool removed, however `work` ends.
 */
export async function withHubAndMidtier<T>(figureId: string, agents: number, work: (pipeline: Pipeline) => Promise<T>): Promise<T> {
  checkDescriptors('the midtier', agents);
  const processes = newProcesses();
  const db = await createDatabase(figureId);
  const spoolDir = tempDir('thresh-bench-spool-');
  try {
    const hub = await startHub(processes, db.url);
    const agentKey = await hub.createKey('agent');
    const midtierKey = await hub.createKey('midtier');
    const midtier = await startMidtier(processes, hub.url, midtierKey, { spoolDir });
    return await work({ processes, db, spoolDir, hub, agentKey, midtierKey, midtier });
  } finally {
    await processes.stopAll();
    await db.drop();
    removeTempDir(spoolDir);
  }
}

/** The built midtier on `port` (fresh when not given), its spool in `spoolDir`; resolves once it holds the hub's link. */
export async function startMidtier(processes: Processes, hubUrl: string, midtierKey: string, { port, spoolDir }: { port?: number; spoolDir: string }) {
  const listenPort = port ?? (await freePort());
  const url = `http://127.0.0.1:${listenPort}`;
  // Every simulated agent connects from 127.0.0.1, where a fleet comes from its own addresses: the per-address cap on
  // connections not yet authenticated is lifted, or a reconnect storm here would measure the cap, not the midtier.
  const env = (key: string, spool: string) => ({ HUB_URL: hubUrl, MIDTIER_KEY: key, MIDTIER_PORT: String(listenPort), MIDTIER_HOST: '127.0.0.1', MIDTIER_SPOOL_DIR: spool, MIDTIER_UNAUTHENTICATED_PER_ADDRESS: '100000' });
  const child = processes.start('midtier', 'dist/apps/midtier/main.js', [], { env: env(midtierKey, spoolDir), shownEnv: env('<midtier key>', '<temp dir>') });
  const startedAt = Date.now();
  const health = async (): Promise<MidtierHealth> => (await fetch(`${url}/health`)).json();
  await waitFor('the midtier to reach the hub', async () => {
    if (child.exitCode !== null) throw new Error(`the midtier exited with code ${child.exitCode}`);
    return httpOk(`${url}/health`, async (response) => response.ok && ((await response.json()) as MidtierHealth).hub.connected);
  }, 60_000, 50);
  return { url, port: listenPort, child, pid: child.pid, startupMs: Date.now() - startedAt, health };
}

/**
 * Compiles a helper script to plain JavaScript under dist/: a baseline's memory must not hold a TypeScript compiler,
 * which a register hook loads into the process.
 */
function compiled(script: string): string {
  const output = join('dist', script.replace(/\.ts$/, '.js'));
  const { code } = transformFileSync(join(ROOT, script), { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  mkdirSync(dirname(join(ROOT, output)), { recursive: true });
  writeFileSync(join(ROOT, output), code);
  return output;
}

/** Starts one of this directory's helper scripts (bare server, relay, REST client) and waits for its "ready" line. */
export async function startHelper<Ready = { port: number }>(
  processes: Processes,
  name: string,
  script: string,
  args: string[],
  { env = {}, shownEnv = {}, readyTimeoutMs = 30_000 }: Pick<StartOptions, 'env' | 'shownEnv'> & { readyTimeoutMs?: number } = {},
) {
  const child = processes.start(name, compiled(join('libs/testing/scripts/bench', script)), args, { env, shownEnv, stdout: 'pipe' });
  const lines = lineReader(child.stdout);
  const ready = await lines.next(readyTimeoutMs);
  if (!ready) throw new Error(`${name} did not start`);
  return { child, pid: child.pid, ready: JSON.parse(ready) as Ready, lines };
}

/** Reads a stream line by line: next(timeoutMs) resolves with the next line, or undefined at its end. */
function lineReader(stream: Readable | null) {
  const queue: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let ended = false;
  if (!stream) throw new Error('no stream to read: start the process with stdout "pipe"');
  lineReaderOn(stream, (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  }, (remainder) => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(remainder || undefined);
  });
  return {
    next(timeoutMs = 60_000): Promise<string | undefined> {
      if (queue.length) return Promise.resolve(queue.shift());
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(() => reject(new Error('no line within the timeout')), timeoutMs);
        waiters.push((line) => {
          clearTimeout(timer);
          resolveLine(line);
        });
      });
    },
  };
}

/** Calls `onLine` with each whole line of the stream, and `onEnd` with what follows the last newline. */
function lineReaderOn(stream: Readable, onLine: (line: string) => void, onEnd?: (remainder: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
  if (onEnd) stream.on('end', () => onEnd(buffer));
}

// ---- the fleet simulator ----

const PROGRESS = /agents (\d+)\/(\d+) registered .*reconnects (\d+) \| failures (\d+)/;

/** Counters of one kind in the simulator's stats (sent, acked, lost, …). */
type Counts = Record<string, number>;

/** The simulator's counters, in the order its stats list them; `failures` follows the latencies. */
const COUNTED = ['agents', 'registrations', 'reports', 'samples', 'commandUpdates', 'commands', 'polls'] as const;
type Counted = (typeof COUNTED)[number];

/** The stats a simulator process prints as JSON once stopped (apps/fleet-sim). */
type SimulatorStats = Record<Counted | 'failures', Counts> & {
  latency: { report: { p95Ms?: number; maxMs?: number }; register: { p95Ms?: number } };
  problems: string[];
  ok: boolean;
};

export type FleetStats = ReturnType<typeof mergeFleetStats>;

type FleetOptions = { url: string; key: string; agents: number; processCount?: number; interval: number; samplesPerReport?: number; ramp: number; transport?: string; prefix?: string; progressInterval?: number; extra?: string[] };

/**
 * Simulated agents from dist/apps/fleet-sim/main.js, in `processCount` processes (by default as many as simulatorProcesses() says),
 * named <prefix><p>-<n>. Each prints its progress every `progressInterval` seconds on stderr (read here) and its stats as JSON on stdout
 * once stopped.
 */
export async function startFleet(processes: Processes, { url, key, agents, processCount = simulatorProcesses(agents), interval, samplesPerReport = 1, ramp, transport = 'socketio', prefix = 'sim-', progressInterval = 0.5, extra = [] }: FleetOptions) {
  const per = Math.ceil(agents / processCount);
  checkDescriptors('one simulator process', per);
  const counts = Array.from({ length: processCount }, (_, index) => Math.min(per, agents - index * per)).filter((count) => count > 0);
  const members = counts.map((count, index) => {
    const namePrefix = `${prefix}${index + 1}-`;
    const args = [
      '--url', url, '--agents', String(count), '--transport', transport, '--interval', String(interval), '--samples-per-report', String(samplesPerReport),
      '--environments', '0', '--duration', '86400', '--ramp', String(ramp), '--name-prefix', namePrefix, '--progress-interval', String(progressInterval), '--json', ...extra,
    ];
    const child = processes.start(`fleet-sim ${index + 1}`, 'dist/apps/fleet-sim/main.js', args, {
      env: { FLEET_SIM_KEY: key },
      shownEnv: { FLEET_SIM_KEY: '<agent key>' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const member = { child, pid: child.pid, namePrefix, count, registered: 0, reconnects: 0, failures: 0, lastProgressAt: 0, stdout: '', stderrTail: [] as string[] };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => (member.stdout += chunk));
    if (child.stderr) {
      lineReaderOn(child.stderr, (line) => {
        const match = PROGRESS.exec(line);
        if (match) {
          member.registered = Number(match[1]);
          member.reconnects = Number(match[3]);
          member.failures = Number(match[4]);
          member.lastProgressAt = Date.now();
        } else if (line.trim()) {
          member.stderrTail.push(line);
          if (member.stderrTail.length > 20) member.stderrTail.shift();
        }
      });
    }
    return member;
  });
  const fleet = {
    members,
    agents,
    pids: members.map((member) => member.pid),
    /** Node names of every simulated agent, for picking command targets. */
    nodeName: (index: number) => {
      const member = members[index % members.length];
      return `${member.namePrefix}${1 + (Math.floor(index / members.length) % member.count)}`;
    },
    registered: () => members.reduce((total, member) => total + member.registered, 0),
    reconnects: () => members.reduce((total, member) => total + member.reconnects, 0),
    checkAlive() {
      for (const member of members) {
        if (member.child.exitCode !== null) throw new Error(`a fleet-sim process exited (${member.child.exitCode}): ${member.stderrTail.join(' / ')}`);
      }
    },
    /** Resolves with the time it took once `condition()` holds on fresh progress lines. */
    async waitUntil(what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
      const since = Date.now();
      await waitFor(what, () => {
        fleet.checkAlive();
        return members.every((member) => member.lastProgressAt > since) && condition();
      }, timeoutMs, 50);
      return Date.now() - since;
    },
    waitAllRegistered(timeoutMs: number): Promise<number> {
      return fleet.waitUntil(`${agents} simulated agents to register`, () => fleet.registered() >= agents, timeoutMs);
    },
    /** SIGTERM: each process waits for answers in flight, prints its stats, exits. Resolves with the stats summed. */
    async stop(): Promise<FleetStats> {
      const stats = await Promise.all(
        members.map(async (member): Promise<SimulatorStats> => {
          await processes.stop(member.child, 'SIGTERM', 60_000);
          try {
            return JSON.parse(member.stdout);
          } catch {
            throw new Error(`fleet-sim printed no stats: ${member.stderrTail.join(' / ')}`);
          }
        }),
      );
      return mergeFleetStats(stats);
    },
  };
  return fleet;
}

/** Counts added up over the simulator processes; latencies only as the largest p95/max (they cannot be merged exactly). */
function mergeFleetStats(all: SimulatorStats[]) {
  const add = (kind: Counted | 'failures') => {
    const result: Counts = {};
    for (const stats of all) for (const [key, value] of Object.entries(stats[kind])) if (typeof value === 'number') result[key] = (result[key] ?? 0) + value;
    return result;
  };
  return {
    ...(Object.fromEntries(COUNTED.map((kind) => [kind, add(kind)])) as Record<Counted, Counts>),
    latency: {
      reportP95Ms: Math.max(...all.map((stats) => stats.latency.report.p95Ms ?? -Infinity)),
      reportMaxMs: Math.max(...all.map((stats) => stats.latency.report.maxMs ?? -Infinity)),
      registerP95Ms: Math.max(...all.map((stats) => stats.latency.register.p95Ms ?? -Infinity)),
    },
    failures: add('failures'),
    problems: all.flatMap((stats) => stats.problems),
    ok: all.every((stats) => stats.ok),
  };
}

/** How many simulator processes for this many agents: at most 2,500 each (CPU, and the open-files limit). */
export const simulatorProcesses = (agents: number) => Math.max(1, Math.ceil(agents / 2500));

// ---- the V8 inspector of a running node process ----

const INSPECTOR_PORT = 9229;

/** Objects of a heap snapshot summed by what they are: name -> count and self size. */
export type HeapGroups = Map<string, { count: number; bytes: number }>;

type HeapSnapshot = { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };

/**
 * Opens the inspector of a running node process (SIGUSR1 starts it on 127.0.0.1:9229) to force full garbage
 * collections: memory read right after one is the memory held, not garbage that has yet to be collected.
 *   const probe = await inspect(pid); const { heapUsed, rss } = await probe.collect(); probe.close();
 */
export async function inspect(pid: number) {
  const busy = await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`).then(() => true, () => false);
  if (busy) throw new Error(`something already listens on ${INSPECTOR_PORT}: the inspector of pid ${pid} cannot be opened there`);
  process.kill(pid, 'SIGUSR1');
  const targets = await waitFor('the inspector', async () => (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json(), 10_000);
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolveOpen, reject) => {
    socket.once('open', resolveOpen);
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (result: never) => void; reject: (error: Error) => void }>();
  let chunks: string[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') return void chunks.push(message.params.chunk);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result as never);
  });
  const call = <T = unknown>(method: string, params = {}) =>
    new Promise<T>((resolveCall, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveCall, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** Two full collections, then the JS heap in use and the resident memory. */
    async collect(): Promise<{ heapUsed: number; rss: number }> {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      await sleep(500);
      const usage = await call<{ usedSize: number }>('Runtime.getHeapUsage');
      return { heapUsed: usage.usedSize, rss: await steadyRss(pid, 3, 300) };
    },
    /**
     * A heap snapshot after a full collection, summed by what its objects are: self sizes, closures named "closure",
     * V8 internals in parentheses. Whole in memory: for heaps of some 100 MB at most.
     */
    async constructors(): Promise<HeapGroups> {
      await call('HeapProfiler.enable');
      await call('HeapProfiler.collectGarbage');
      chunks = [];
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const snapshot: HeapSnapshot = JSON.parse(chunks.join(''));
      chunks = [];
      const fields = snapshot.snapshot.meta.node_fields;
      const types = snapshot.snapshot.meta.node_types[0];
      const [typeAt, nameAt, sizeAt, width] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size'), fields.length];
      const groups: HeapGroups = new Map();
      for (let index = 0; index < snapshot.nodes.length; index += width) {
        const type = types[snapshot.nodes[index + typeAt]];
        const name = type === 'object' ? snapshot.strings[snapshot.nodes[index + nameAt]] : type === 'closure' ? 'closure' : `(${type})`;
        const group = groups.get(name) ?? { count: 0, bytes: 0 };
        group.count++;
        group.bytes += snapshot.nodes[index + sizeAt];
        groups.set(name, group);
      }
      return groups;
    },
    close: () => socket.close(),
  };
}

/** What grew between two constructors() summaries, per agent, by name. */
export function heapGrowth(before: HeapGroups, after: HeapGroups, agents: number): HeapGroups {
  const growth: HeapGroups = new Map();
  for (const [name, group] of after) {
    const earlier = before.get(name) ?? { count: 0, bytes: 0 };
    growth.set(name, { count: (group.count - earlier.count) / agents, bytes: (group.bytes - earlier.bytes) / agents });
  }
  return growth;
}
