// npm test: unit, integration and end-to-end tiers against a real PostgreSQL, each suite in a database of its own.
//   npm test [tier…]   only the tiers named (boundaries, unit, integration, end-to-end, bench, bench-embedded)
import { nodeArgsFor } from '@thresh/testing';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { acquirePostgresServer, dropRunDatabases } from './postgres-server';

type Tier = { name: string; command: string; args: string[] };

const nx = (name: string, ...args: string[]): Tier => ({ name, command: 'npx', args: ['nx', ...args, '--output-style=static'] });
const script = (name: string, path: string, ...args: string[]): Tier => ({ name, command: process.execPath, args: [...nodeArgsFor(path), ...args] });

const tiers: Tier[] = [
  script('boundaries', 'libs/testing/scripts/boundaries/check.ts'),
  nx('unit', 'run-many', '-t', 'test', '--parallel=2'),
  nx('integration', 'run-many', '-t', 'int-test', '--parallel=1'),
  nx('end-to-end', 'run-many', '-t', 'e2e', '--parallel=1'),
  // Every scale figure at a small size beside its baseline, so a regression shows in the printed table; a target
  // missed at this size does not fail the run (timings on a shared machine), a figure that cannot be measured does.
  script('bench', 'libs/testing/scripts/bench/run.ts', '--smoke', '--out', 'test-output/bench'),
  // The same figures that load the database, on the embedded server a default install runs.
  script('bench-embedded', 'libs/testing/scripts/bench/run.ts', '--smoke', '--database', 'embedded', '--out', 'test-output/bench'),
];

async function main(only: string[]): Promise<boolean> {
  const server = await acquirePostgresServer();
  const runId = randomBytes(4).toString('hex');
  console.log(`[test] PostgreSQL: ${server.description}; run ${runId}`);
  const env = { ...process.env, THRESH_TEST_PG_URL: server.url, THRESH_TEST_RUN_ID: runId, NX_TUI: 'false' };
  try {
    for (const tier of tiers) {
      if (only.length && !only.includes(tier.name)) continue;
      const tierStart = Date.now();
      console.log(`\n[test] ${tier.name} tests`);
      const result = spawnSync(tier.command, tier.args, { stdio: 'inherit', env });
      console.log(`[test] ${tier.name}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds(tierStart)}s`);
      if (result.status !== 0) return false;
    }
    return true;
  } finally {
    const dropped = await dropRunDatabases(server.url, runId).catch((error: Error) => {
      console.error(`[test] could not drop this run's databases: ${error.message}`);
      return 0;
    });
    if (dropped) console.log(`[test] dropped ${dropped} leftover database(s)`);
    server.stop();
  }
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(0);

const started = Date.now();
void main(process.argv.slice(2)).then((passed) => {
  console.log(`\n[test] ${passed ? 'all tiers passed' : 'FAILED'} in ${seconds(started)}s`);
  process.exit(passed ? 0 : 1);
});
