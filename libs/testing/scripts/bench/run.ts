// `npm run bench`: measures each figure beside its baseline in the same run, prints a markdown table and writes
// bench/RESULTS.md (with the machine, and the exact command of each figure).
//
//   npm run bench                          full size (10,000 agents; long: run figures one at a time with --only)
//   npm run bench -- --smoke               the small size, for CI (500 agents; about 3 minutes)
//   npm run bench -- --only memory         one figure (or several: --only memory,rest; numbers work too: --only 1,5)
//   npm run bench -- --only rest --agents 2000    a figure at another size
//   npm run bench -- --smoke --out test-output/bench   results written there instead of bench/ (npm test does this)
//   npm run bench -- --database embedded   memory, ingest and commands on npm start's own embedded PostgreSQL
//                                          (rows of their own, beside those on the machine's server)
//
// Results are kept per size in bench/results/<full|smoke>.json, a figure's entry replaced when it is measured again;
// bench/RESULTS.md is written from both. Needs the built hub, midtier and fleet-sim (built here when missing) and a
// PostgreSQL (THRESH_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/postgres); every process and database a
// figure starts is ended (by pid) and dropped when it ends, or when the run is interrupted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import commands from './commands';
import { cpuMeter, describeFdLimit, ensureBuilt, Figure, FigureResult, postgres, query, registry, removeTempDir, ROOT, sleep, useEmbeddedPostgres } from './common';
import ingest from './ingest';
import memory from './memory';
import nodeList from './node-list';
import reconnect from './reconnect';
import rest from './rest';

const FIGURES: Figure<unknown>[] = [memory, ingest, commands, reconnect, rest, nodeList];

type Machine = Awaited<ReturnType<typeof describeMachine>>;

/** A figure's row in bench/results/<size>.json. */
type Entry = FigureResult & { ok: boolean; busyBefore: number; number: number; id: string; title: string; target: string; size: string; sizeParameters: unknown; seconds: number; date: string; runCommand: string; machine: Machine };

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    database: { type: 'string', default: 'server' },
    only: { type: 'string', multiple: true },
    agents: { type: 'string' },
    out: { type: 'string', default: 'bench' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  const lines = readFileSync(__filename, 'utf8').split('\n');
  console.log(lines.slice(0, lines.findIndex((line) => !line.startsWith('//'))).map((line) => line.slice(3)).join('\n'));
  console.log(`\nfigures: ${FIGURES.map((figure) => `${figure.number} ${figure.id}`).join(', ')}`);
  process.exit(0);
}
const wanted = (values.only ?? []).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter(Boolean);
if (!['server', 'embedded'].includes(values.database)) fail('--database: server (THRESH_TEST_PG_URL) or embedded (npm start\'s own)');
const embedded = values.database === 'embedded';
// The figures whose cost lands on the database the default install runs.
const EMBEDDED_FIGURES = ['memory', 'ingest', 'commands'];
const selected = !wanted.length && embedded ? FIGURES.filter((figure) => EMBEDDED_FIGURES.includes(figure.id)) : wanted.length ? wanted.map((name) => FIGURES.find((figure) => figure.id === name || String(figure.number) === name) ?? fail(`no figure "${name}" (figures: ${FIGURES.map((figure) => figure.id).join(', ')})`)) : FIGURES;
const sizeName = values.smoke ? 'smoke' : 'full';
const agentsOverride = values.agents === undefined ? undefined : Number(values.agents);
if (agentsOverride !== undefined && !(Number.isInteger(agentsOverride) && agentsOverride > 0)) fail('--agents: a whole number');

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

// An interrupted run still ends what it started and drops its databases.
let cleaning: Promise<void> | undefined;
let embeddedServer: { stop(): Promise<void> } | undefined;
async function cleanUp() {
  cleaning ??= (async () => {
    for (const processes of registry.processes) processes.killAllNow();
    for (const database of [...registry.databases]) await database.drop().catch((error: Error) => console.error(`bench: could not drop ${database.name}: ${error.message}`));
    for (const dir of [...registry.tempDirs]) removeTempDir(dir);
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}: stopping what was started…`);
    cleanUp()
      .then(() => embeddedServer?.stop())
      .finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const processes of registry.processes) processes.killAllNow();
});

async function main(): Promise<number> {
  ensureBuilt();
  embeddedServer = embedded ? await useEmbeddedPostgres() : undefined;
  const machine = await describeMachine();
  const outDir = resolve(ROOT, values.out);
  const resultsDir = join(outDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, `${sizeName}.json`);
  const stored: { figures: Record<string, Entry> } = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { figures: {} };

  console.log(`bench: ${sizeName} size, ${selected.map((figure) => figure.id).join(', ')}; ${machine.cpu}, ${machine.memory}, Node ${machine.node}, ${machine.postgres.split(' on ')[0]}`);
  console.log(`bench: ${machine.openFiles}`);

  const thisRun: Entry[] = [];
  let errors = 0;
  for (const figure of selected) {
    const size = figure.size({ smoke: values.smoke, agents: agentsOverride });
    const label = `[${figure.number} ${figure.id}]`;
    const log = (message: string) => console.log(`${label} ${message}`);
    // Another job on the machine skews every figure: say so beside the figure.
    const idle = cpuMeter({});
    await sleep(2000);
    const busyBefore = idle.stop()['other processes'] ?? 0;
    if (busyBefore >= 20) log(`warning: other processes use ${busyBefore}% of a core: the figure will be skewed`);
    log(`${figure.title}, ${figure.describeSize(size)}…`);
    const began = Date.now();
    let entry: FigureResult & { ok: boolean };
    try {
      const result = await figure.run(size, log);
      entry = { ...result, ok: true };
      // A promise the system breaks (a sample lost, a request failed) fails the run at any size; a slow figure does not.
      if (result.broken) {
        errors++;
        console.error(`${label} broken: ${result.broken}`);
      }
    } catch (caught) {
      const error = caught as Error;
      errors++;
      console.error(`${label} failed: ${error.stack ?? error.message}`);
      entry = { ok: false, pass: false, measured: 'not measured', baseline: '', ratio: '', note: `error: ${error.message}`, commands: [] };
      await cleanUp();
      cleaning = undefined;
    }
    if (busyBefore >= 20) entry.note = `${entry.note} (Machine busy: other processes used ${busyBefore}% of a core just before this figure.)`;
    if (embedded) entry.note = `On npm start's embedded ${machine.postgres.split(' on ')[0]}. ${entry.note}`;
    const row: Entry = {
      ...entry,
      busyBefore,
      number: figure.number,
      id: embedded ? `${figure.id}@embedded` : figure.id,
      title: embedded ? `${figure.title}, on npm start's embedded PostgreSQL` : figure.title,
      target: figure.target,
      size: figure.describeSize(size),
      sizeParameters: size,
      seconds: Math.round((Date.now() - began) / 1000),
      date: new Date().toISOString(),
      runCommand: `npm run bench -- ${values.smoke ? '--smoke ' : ''}${embedded ? '--database embedded ' : ''}--only ${figure.id}${agentsOverride ? ` --agents ${agentsOverride}` : ''}`,
      machine,
    };
    log(`${row.measured} | baseline ${row.baseline} | ${row.ratio} | target ${row.target}: ${verdict(row)} (${row.seconds} s)`);
    thisRun.push(row);
    stored.figures[row.id] = row;
    writeFileSync(resultsFile, `${JSON.stringify(stored, null, 2)}\n`);
  }

  console.log(`\n${table(thisRun)}`);
  writeResults(outDir, machine);
  console.log(`\nbench: wrote ${relative(ROOT, join(outDir, 'RESULTS.md'))} and ${relative(ROOT, resultsFile)}`);
  await cleanUp();
  await embeddedServer?.stop();
  return errors;
}

void main().then((errors) => process.exit(errors ? 1 : 0));

function verdict(entry: Entry): string {
  if (!entry.ok) return 'error';
  if (entry.broken) return `broken: ${entry.broken}`;
  return entry.pass ? 'meets target' : 'misses target';
}

function table(entries: Entry[]): string {
  const rows = [
    '| # | figure | size | measured | baseline (same run) | ratio | target | verdict |',
    '|---|---|---|---|---|---|---|---|',
    ...entries.sort((a, b) => a.number - b.number || a.id.localeCompare(b.id)).map((entry) => `| ${entry.number} | ${entry.title} | ${entry.size} | ${entry.measured} | ${entry.baseline} | ${entry.ratio} | ${entry.target} | ${verdict(entry)} |`),
  ];
  return rows.join('\n');
}

function section(name: string, file: string): string[] {
  if (!existsSync(file)) return [`## ${name}`, '', `Not run yet: \`npm run bench${name.startsWith('Smoke') ? ' -- --smoke' : ''}\`.`, ''];
  const entries = readEntries(file).sort((a, b) => a.number - b.number || a.id.localeCompare(b.id));
  const lines = [`## ${name}`, '', table(entries), '', '### Notes', ''];
  for (const entry of entries) lines.push(`${entry.number}. **${entry.title}** (${entry.size}, ${entry.date.slice(0, 16).replace('T', ' ')} UTC, ${entry.seconds} s): ${entry.note}`);
  lines.push('', '### Commands', '');
  for (const entry of entries) {
    lines.push(`${entry.number}. \`${entry.runCommand}\` started:`, '');
    lines.push('   ```sh', ...unique(entry.commands).map((line) => `   ${line}`), '   ```', '');
  }
  return lines;
}

function unique(lines: string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, count]) => (count > 1 ? `${line}   # ×${count}` : line));
}

const readEntries = (file: string): Entry[] => Object.values(JSON.parse(readFileSync(file, 'utf8')).figures);

function writeResults(outDir: string, machine: Machine): void {
  const full = join(outDir, 'results', 'full.json');
  const smoke = join(outDir, 'results', 'smoke.json');
  const latest = [full, smoke].filter((file) => existsSync(file)).flatMap(readEntries).filter((entry) => !entry.id.endsWith('@embedded')).sort((a, b) => b.date.localeCompare(a.date))[0];
  const host = latest?.machine ?? machine;
  const lines = [
    '# thresh benchmarks',
    '',
    'Written by `npm run bench` (libs/testing/scripts/bench/run.ts): each figure measured beside its baseline in the same run.',
    '`npm run bench` runs the full size, `npm run bench -- --smoke` the small one (CI), `--only <figure>` one figure',
    `(${FIGURES.map((figure) => figure.id).join(', ')}). A figure that misses its target is reported as measured, with what the profile showed.`,
    '',
    '## Machine',
    '',
    `- CPU: ${host.cpu}`,
    `- Memory: ${host.memory}`,
    `- Node: ${host.node}`,
    `- PostgreSQL: ${host.postgres} (${host.postgresSettings})`,
    `- ${host.openFiles}`,
    `- Code: ${host.code ?? machine.code}`,
    `- Date of the latest figure: ${latest?.date ?? new Date().toISOString()}`,
    '',
    ...section('Full size', full),
    ...section('Smoke size (`--smoke`)', smoke),
  ];
  writeFileSync(join(outDir, 'RESULTS.md'), `${lines.join('\n').trimEnd()}\n`);
}

async function describeMachine() {
  const cores = cpus();
  const [row] = await query<Record<'version' | 'shared_buffers' | 'fsync' | 'synchronous_commit' | 'max_connections', string>>(
    postgres.url,
    `SELECT version(), current_setting('shared_buffers') AS shared_buffers, current_setting('fsync') AS fsync,
      current_setting('synchronous_commit') AS synchronous_commit, current_setting('max_connections') AS max_connections`,
  );
  const { version } = row;
  const settings = `shared_buffers ${row.shared_buffers}, fsync ${row.fsync}, synchronous_commit ${row.synchronous_commit}, max_connections ${row.max_connections}`;
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT }).stdout?.toString().trim() ?? '';
  const changed = git('status', '--porcelain', '--', 'apps', 'libs').split('\n').filter((line) => line && !line.includes('libs/testing/scripts/bench/')).length;
  const built = statSync(join(ROOT, 'dist/apps/hub/main.js')).mtime.toISOString().slice(0, 16).replace('T', ' ');
  return {
    code: `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ` with ${changed} changed files in apps/ and libs/` : ''}; dist/apps/hub/main.js built ${built} UTC (the bench runs what dist holds)`,
    cpu: `${cores[0]?.model.trim() ?? 'unknown'}, ${cores.length} cores`,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    postgres: version,
    postgresSettings: settings,
    openFiles: describeFdLimit(),
  };
}
