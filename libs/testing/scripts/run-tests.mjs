// npm test: unit, integration and end-to-end tiers against a real PostgreSQL, each suite in a database of its own.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { acquirePostgresServer, dropRunDatabases } from './postgres-server.mjs';

const tiers = [
  { name: 'boundaries', command: 'node', args: ['libs/testing/scripts/check-module-boundaries.mjs'] },
  { name: 'boundaries', command: 'node', args: ['-r', '@swc-node/register', 'libs/testing/scripts/domain-contracts.ts'] },
  { name: 'unit', args: ['run-many', '-t', 'test', '--parallel=2'] },
  { name: 'integration', args: ['run-many', '-t', 'int-test', '--parallel=1'] },
  { name: 'end-to-end', args: ['run-many', '-t', 'e2e', '--parallel=1'] },
  // Every scale figure at a small size beside its baseline, so a regression shows in the printed table; a target
  // missed at this size does not fail the run (timings on a shared machine), a figure that cannot be measured does.
  { name: 'bench', command: 'node', args: ['libs/testing/scripts/bench/run.mjs', '--smoke', '--out', 'test-output/bench'] },
  // The same figures that load the database, on the embedded server a default install runs.
  { name: 'bench-embedded', command: 'node', args: ['libs/testing/scripts/bench/run.mjs', '--smoke', '--database', 'embedded', '--out', 'test-output/bench'] },
];
const only = process.argv.slice(2);

const started = Date.now();
const server = await acquirePostgresServer();
const runId = randomBytes(4).toString('hex');
console.log(`[test] PostgreSQL: ${server.description}; run ${runId}`);
const env = { ...process.env, THRESH_TEST_PG_URL: server.url, THRESH_TEST_RUN_ID: runId, NX_TUI: 'false' };

let failed = false;
try {
  for (const tier of tiers) {
    if (only.length && !only.includes(tier.name)) continue;
    const tierStart = Date.now();
    console.log(`\n[test] ${tier.name} tests`);
    const [command, args] = tier.command ? [tier.command, tier.args] : ['npx', ['nx', ...tier.args, '--output-style=static']];
    const result = spawnSync(command, args, { stdio: 'inherit', env });
    console.log(`[test] ${tier.name}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - tierStart) / 1000).toFixed(0)}s`);
    if (result.status !== 0) {
      failed = true;
      break;
    }
  }
} finally {
  const dropped = await dropRunDatabases(server.url, runId).catch((error) => {
    console.error(`[test] could not drop this run's databases: ${error.message}`);
    return 0;
  });
  if (dropped) console.log(`[test] dropped ${dropped} leftover database(s)`);
  server.stop();
}
console.log(`\n[test] ${failed ? 'FAILED' : 'all tiers passed'} in ${((Date.now() - started) / 1000).toFixed(0)}s`);
process.exit(failed ? 1 : 0);
