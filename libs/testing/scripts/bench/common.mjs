// Shared by the benchmark figures (run.mjs): processes, databases, the built hub and midtier, the fleet simulator,
// percentiles, and per-process memory and CPU read from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export { sleep };
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export let PG_URL = process.env.THRESH_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN_PASSWORD = 'bench-password';

export const freePort = () =>
  new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });

/** Polls `check` until it returns something truthy; throws with `what` after `timeoutMs`. */
export async function waitFor(what, check, { timeoutMs = 60_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (${lastError.message})` : ''}`);
    await sleep(intervalMs);
  }
}

// ---- numbers ----

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const sum = sorted.reduce((total, value) => total + value, 0);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN, mean: sum / sorted.length };
}

export const ms = (value) => (Number.isFinite(value) ? (value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`) : 'n/a');
export const int = (value) => Math.round(value).toLocaleString('en-US');
export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

// ---- /proc ----

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** The median of a few readings a little apart: one reading can land on a garbage collection. */
export async function steadyRss(pid, readings = 5, gapMs = 400) {
  const values = [];
  for (let index = 0; index < readings; index++) {
    if (index > 0) await sleep(gapMs);
    values.push(rssBytes(pid));
  }
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Busy CPU ticks of the whole machine, all cores (/proc/stat: user, nice, system, irq, softirq, steal). */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
}

/** Every PostgreSQL server process on this machine (backends included), found by name in /proc. */
export function postgresPids() {
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

/**
 * CPU use over a window, per named group of processes, in % of one core: what "the profile" of a run says.
 *   const cpu = cpuMeter({ hub: [hubPid], midtier: [pid] }); … const usage = cpu.stop(); // { hub: 93, midtier: 40, postgres: 61 }
 * PostgreSQL's processes are found anew at the end too, so backends started meanwhile count.
 */
export function cpuMeter(groups, { withPostgres = true } = {}) {
  const started = Date.now();
  const machineBefore = machineTicks();
  const before = new Map();
  // The bench's own process too: it is the client of some figures.
  const allGroups = () => ({ ...groups, 'bench runner': [process.pid], ...(withPostgres ? { postgres: postgresPids() } : {}) });
  for (const pids of Object.values(allGroups())) for (const pid of pids) before.set(pid, cpuTicks(pid));
  return {
    stop() {
      const seconds = (Date.now() - started) / 1000;
      const usage = {};
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

export const describeCpu = (usage) =>
  Object.entries(usage)
    .map(([name, percent]) => `${name} ${percent}%`)
    .join(', ');

// ---- open files ----

function shellLimit(flag) {
  return spawnSync('sh', ['-c', `ulimit ${flag}`]).stdout.toString().trim();
}

/** The open-files limit children get, and whether `ulimit -n 65536` may raise it (root without CAP_SYS_RESOURCE may not). */
export const FD_LIMIT = (() => {
  const soft = shellLimit('-n');
  const hard = shellLimit('-Hn');
  const raisable = spawnSync('sh', ['-c', 'ulimit -n 65536']).status === 0;
  return { soft: soft === 'unlimited' ? Infinity : Number(soft), hard: hard === 'unlimited' ? Infinity : Number(hard), raisable };
})();

export function describeFdLimit() {
  const { soft, hard, raisable } = FD_LIMIT;
  return raisable
    ? `open files: ${soft} (hard ${hard}); children run with \`ulimit -n 65536\``
    : `open files: ${soft} (hard ${hard}); \`ulimit -n 65536\` is refused here (no CAP_SYS_RESOURCE), so every process is kept under it: ` +
        'agents are spread over several simulator processes, and each server holds at most one socket per agent';
}

/** Fails early when one process would need more descriptors than it may open. */
export function checkDescriptors(what, sockets) {
  const limit = FD_LIMIT.raisable ? 65_536 : FD_LIMIT.soft;
  if (sockets + 200 > limit) throw new Error(`${what} would hold ${sockets} sockets, above the open-files limit of ${limit} (see ulimit -n)`);
}

// ---- processes ----

/**
 * The processes one figure starts; each is ended by its pid, never by name. `start` runs node with the open-files
 * limit raised when that is allowed (`sh -c 'ulimit -n 65536 && exec node …'`: exec keeps the pid node's).
 */
export class Processes {
  constructor() {
    this.children = new Set();
    this.commands = [];
  }

  /** stderr 'filtered' (the default): the child's lines, prefixed with its name, but the inspector's chatter. */
  start(name, script, args = [], { env = {}, stdout = 'ignore', stderr = 'filtered', shownEnv = {} } = {}) {
    // BENCH_CPU_PROF_DIR=<dir> writes a CPU profile of each hub and midtier there when it exits: what a figure spends.
    const profile = process.env.BENCH_CPU_PROF_DIR && /apps\/(hub|midtier)\//.test(script) ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
    const nodeArgs = [...profile, script, ...args];
    const quoted = nodeArgs.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');
    const shown = Object.entries(shownEnv)
      .map(([key, value]) => `${key}=${value} `)
      .join('');
    this.commands.push(`${shown}node ${quoted}`);
    const fullEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
    const stdio = ['ignore', stdout, stderr === 'filtered' ? 'pipe' : stderr];
    const child = FD_LIMIT.raisable
      ? spawn('sh', ['-c', `ulimit -n 65536 && exec "${process.execPath}" ${quoted}`], { cwd: ROOT, env: fullEnv, stdio })
      : spawn(process.execPath, nodeArgs, { cwd: ROOT, env: fullEnv, stdio });
    if (stderr === 'filtered') {
      lineReaderOn(child.stderr, (line) => {
        if (line.trim() && !/^(Debugger (listening|attached|ending)|For help, see: https:\/\/nodejs.org)/.test(line)) process.stderr.write(`  [${name}] ${line}\n`);
      });
    }
    child.benchName = name;
    child.exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
    child.once('exit', () => this.children.delete(child));
    this.children.add(child);
    return child;
  }

  /** Signals the child by pid and waits for it to exit (SIGKILL after `graceMs`). */
  async stop(child, signal = 'SIGTERM', graceMs = 15_000) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exited;
    try {
      process.kill(child.pid, signal);
    } catch {
      // Gone already.
    }
    const outcome = await Promise.race([child.exited, sleep(graceMs).then(() => undefined)]);
    if (outcome) return outcome;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
    return child.exited;
  }

  async stopAll() {
    await Promise.all([...this.children].reverse().map((child) => this.stop(child)));
  }

  /** Synchronous, for process exit: SIGKILL by pid. */
  killAllNow() {
    for (const child of this.children) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

/** Every Processes and database of the run, so that an interrupted run still cleans up. */
export const registry = { processes: new Set(), databases: new Set(), tempDirs: new Set() };

export function newProcesses() {
  const processes = new Processes();
  registry.processes.add(processes);
  return processes;
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  registry.tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  registry.tempDirs.delete(dir);
}

// ---- PostgreSQL ----

/**
 * `npm start`'s own embedded server (`main.cjs database`, as `npm run db`), on a data folder of the run's own: the
 * figures that follow make their databases there.
 */
export async function useEmbeddedPostgres() {
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
  PG_URL = `postgres://thresh:${encodeURIComponent(database.password)}@127.0.0.1:${database.port}/postgres`;
  return {
    async stop() {
      await processes.stop(child, 'SIGINT', 60_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function withAdmin(work) {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh database for one figure; `drop()` removes it (WITH (FORCE): the hub's pool may still hold connections). */
export async function createDatabase(figure) {
  const name = `thresh_bench_${figure}_${Date.now()}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  registry.databases.add(name);
  const url = Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
  return {
    name,
    url,
    async drop() {
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      registry.databases.delete(name);
    },
  };
}

export async function dropDatabaseNamed(name) {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  registry.databases.delete(name);
}

export async function query(url, text, values) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

// ---- the built apps ----

export function ensureBuilt() {
  const missing = ['dist/apps/hub/main.js', 'dist/apps/midtier/main.js', 'dist/apps/fleet-sim/main.js'].filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length === 0) return;
  console.log(`[bench] ${missing.join(', ')} missing: building hub, midtier and fleet-sim…`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'hub', 'midtier', 'fleet-sim'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
}

async function httpOk(url, check = (response) => response.ok) {
  try {
    return await check(await fetch(url));
  } catch {
    return false;
  }
}

/** The built hub on a fresh port against `dbUrl`, logged in as admin: { url, pid, child, token, post, get, createKey }. */
export async function startHub(processes, dbUrl, extraEnv = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = processes.start('hub', 'dist/apps/hub/main.js', [], {
    env: { DATABASE_URL: dbUrl, HUB_PORT: String(port), HUB_HOST: '127.0.0.1', THRESH_ADMIN_PASSWORD: ADMIN_PASSWORD, HUB_RATE_LIMIT_PER_MINUTE: '100000000', ...extraEnv },
    shownEnv: { DATABASE_URL: '<fresh database>', HUB_PORT: port, HUB_HOST: '127.0.0.1', THRESH_ADMIN_PASSWORD: '…', HUB_RATE_LIMIT_PER_MINUTE: 100000000, ...extraEnv },
  });
  await waitFor('the hub to be ready', async () => {
    if (child.exitCode !== null) throw new Error(`the hub exited with code ${child.exitCode}`);
    return httpOk(`${url}/health/ready`);
  }, { timeoutMs: 90_000 });
  const request = async (method, path, body, token) => {
    const response = await fetch(url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
  const { token } = await request('POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  return {
    url,
    port,
    child,
    pid: child.pid,
    token,
    request,
    post: (path, body) => request('POST', path, body, token),
    get: (path) => request('GET', path, undefined, token),
    createKey: async (type) => (await request('POST', '/api/keys', { type, name: `bench-${type}-${Date.now()}` }, token)).key,
  };
}

/** The pipeline most figures measure: a hub on `dbUrl`, an agent key, and one midtier attached to the hub. */
export async function startHubAndMidtier(processes, dbUrl, spoolDir) {
  const hub = await startHub(processes, dbUrl);
  const agentKey = await hub.createKey('agent');
  const midtierKey = await hub.createKey('midtier');
  const midtier = await startMidtier(processes, hub.url, midtierKey, { spoolDir });
  return { hub, agentKey, midtierKey, midtier };
}

/** The built midtier on `port` (fresh when not given), its spool in `spoolDir`; resolves once it holds the hub's link. */
export async function startMidtier(processes, hubUrl, midtierKey, { port, spoolDir } = {}) {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Every simulated agent connects from 127.0.0.1, where a fleet comes from its own addresses: the per-address cap on
  // connections not yet authenticated is lifted, or a reconnect storm here would measure the cap, not the midtier.
  const fromOneAddress = { MIDTIER_UNAUTHENTICATED_PER_ADDRESS: '100000' };
  const child = processes.start('midtier', 'dist/apps/midtier/main.js', [], {
    env: { HUB_URL: hubUrl, MIDTIER_KEY: midtierKey, MIDTIER_PORT: String(port), MIDTIER_HOST: '127.0.0.1', MIDTIER_SPOOL_DIR: spoolDir, ...fromOneAddress },
    shownEnv: { HUB_URL: hubUrl, MIDTIER_KEY: '<midtier key>', MIDTIER_PORT: port, MIDTIER_HOST: '127.0.0.1', MIDTIER_SPOOL_DIR: '<temp dir>', ...fromOneAddress },
  });
  const startedAt = Date.now();
  await waitFor('the midtier to reach the hub', async () => {
    if (child.exitCode !== null) throw new Error(`the midtier exited with code ${child.exitCode}`);
    return httpOk(`${url}/health`, async (response) => response.ok && (await response.json()).hub.connected);
  }, { timeoutMs: 60_000, intervalMs: 50 });
  return { url, port, child, pid: child.pid, startupMs: Date.now() - startedAt, health: async () => (await fetch(`${url}/health`)).json() };
}

/** Starts one of this directory's helper scripts (bare server, relay, REST client) and waits for its "ready" line. */
export async function startHelper(processes, name, script, args, { env = {}, shownEnv = {}, readyTimeoutMs = 30_000 } = {}) {
  const child = processes.start(name, join('libs/testing/scripts/bench', script), args, { env, shownEnv, stdout: 'pipe' });
  const lines = lineReader(child.stdout);
  child.lines = lines;
  const ready = await lines.next(readyTimeoutMs);
  if (!ready) throw new Error(`${name} did not start`);
  return { child, pid: child.pid, ready: JSON.parse(ready), lines };
}

/** Reads a stream line by line: next(timeoutMs) resolves with the next line, or undefined at its end. */
export function lineReader(stream) {
  const queue = [];
  const waiters = [];
  let buffer = '';
  let ended = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    }
  });
  stream.on('end', () => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(buffer || undefined);
  });
  return {
    next(timeoutMs = 60_000) {
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

// ---- the fleet simulator ----

const PROGRESS = /agents (\d+)\/(\d+) registered .*reconnects (\d+) \| failures (\d+)/;

/**
 * Simulated agents from dist/apps/fleet-sim/main.js, in `processCount` processes (CPU, and the open-files limit),
 * named <prefix><p>-<n>. Each prints its progress every `progressInterval` seconds on stderr (read here) and its stats as JSON on stdout
 * once stopped.
 */
export async function startFleet(processes, { url, key, agents, processCount = 1, interval, samplesPerReport = 1, ramp, transport = 'socketio', prefix = 'sim-', progressInterval = 0.5, extra = [] }) {
  const per = Math.ceil(agents / processCount);
  checkDescriptors('one simulator process', per);
  const members = [];
  for (let index = 0; index < processCount; index++) {
    const count = Math.min(per, agents - index * per);
    if (count <= 0) break;
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
    const member = { child, pid: child.pid, namePrefix, count, registered: 0, reconnects: 0, failures: 0, lastProgressAt: 0, stdout: '', stderrTail: [] };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (member.stdout += chunk));
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
    members.push(member);
  }
  const fleet = {
    members,
    agents,
    pids: members.map((member) => member.pid),
    /** Node names of every simulated agent, for picking command targets. */
    nodeName: (index) => {
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
    /** Resolves with the time it took once `condition(fleet)` holds on fresh progress lines. */
    async waitUntil(what, condition, timeoutMs) {
      const since = Date.now();
      await waitFor(what, () => {
        fleet.checkAlive();
        return members.every((member) => member.lastProgressAt > since) && condition(fleet);
      }, { timeoutMs, intervalMs: 50 });
      return Date.now() - since;
    },
    waitAllRegistered(timeoutMs) {
      return fleet.waitUntil(`${agents} simulated agents to register`, () => fleet.registered() >= agents, timeoutMs);
    },
    /** SIGTERM: each process waits for answers in flight, prints its stats, exits. Resolves with the stats summed. */
    async stop() {
      const stats = await Promise.all(
        members.map(async (member) => {
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

function lineReaderOn(stream, onLine) {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
}

/** Counts added up over the simulator processes; latencies only as the largest p95/max (they cannot be merged exactly). */
export function mergeFleetStats(all) {
  const add = (pick) => {
    const result = {};
    for (const stats of all) for (const [key, value] of Object.entries(pick(stats))) if (typeof value === 'number') result[key] = (result[key] ?? 0) + value;
    return result;
  };
  const failures = {};
  for (const stats of all) for (const [reason, count] of Object.entries(stats.failures)) failures[reason] = (failures[reason] ?? 0) + count;
  return {
    agents: add((stats) => stats.agents),
    registrations: add((stats) => stats.registrations),
    reports: add((stats) => stats.reports),
    samples: add((stats) => stats.samples),
    commandUpdates: add((stats) => stats.commandUpdates),
    commands: add((stats) => stats.commands),
    polls: add((stats) => stats.polls),
    latency: {
      reportP95Ms: Math.max(...all.map((stats) => stats.latency.report.p95Ms ?? -Infinity)),
      reportMaxMs: Math.max(...all.map((stats) => stats.latency.report.maxMs ?? -Infinity)),
      registerP95Ms: Math.max(...all.map((stats) => stats.latency.register.p95Ms ?? -Infinity)),
    },
    failures,
    problems: all.flatMap((stats) => stats.problems),
    ok: all.every((stats) => stats.ok),
  };
}

/** How many simulator processes for this many agents: at most 2,500 each (CPU, and the open-files limit). */
export const simulatorProcesses = (agents) => Math.max(1, Math.ceil(agents / 2500));

// ---- the V8 inspector of a running node process ----

const INSPECTOR_PORT = 9229;

/**
 * Opens the inspector of a running node process (SIGUSR1 starts it on 127.0.0.1:9229) to force full garbage
 * collections: memory read right after one is the memory held, not garbage that has yet to be collected.
 *   const probe = await inspect(pid); const { heapUsed, rss } = await probe.collect(); probe.close();
 */
export async function inspect(pid) {
  const busy = await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`).then(() => true, () => false);
  if (busy) throw new Error(`something already listens on ${INSPECTOR_PORT}: the inspector of pid ${pid} cannot be opened there`);
  process.kill(pid, 'SIGUSR1');
  const targets = await waitFor('the inspector', async () => (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json(), { timeoutMs: 10_000, intervalMs: 100 });
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolveOpen, reject) => {
    socket.once('open', resolveOpen);
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map();
  let chunks = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') return chunks.push(message.params.chunk);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const call = (method, params = {}) =>
    new Promise((resolveCall, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveCall, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** Two full collections, then the JS heap in use and the resident memory. */
    async collect() {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      await sleep(500);
      const usage = await call('Runtime.getHeapUsage');
      return { heapUsed: usage.usedSize, rss: await steadyRss(pid, 3, 300) };
    },
    /**
     * A heap snapshot after a full collection, summed by what its objects are: Map(name -> { count, bytes }) of self
     * sizes, closures named "closure", V8 internals in parentheses. Whole in memory: for heaps of some 100 MB at most.
     */
    async constructors() {
      await call('HeapProfiler.enable');
      await call('HeapProfiler.collectGarbage');
      chunks = [];
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const snapshot = JSON.parse(chunks.join(''));
      chunks = [];
      const fields = snapshot.snapshot.meta.node_fields;
      const types = snapshot.snapshot.meta.node_types[0];
      const [typeAt, nameAt, sizeAt, width] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size'), fields.length];
      const groups = new Map();
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

/** What grew between two constructors() summaries, per agent: [name, { count, bytes }] largest first. */
export function heapGrowth(before, after, agents) {
  const growth = new Map();
  for (const [name, group] of after) {
    const earlier = before.get(name) ?? { count: 0, bytes: 0 };
    growth.set(name, { count: (group.count - earlier.count) / agents, bytes: (group.bytes - earlier.bytes) / agents });
  }
  return growth;
}
