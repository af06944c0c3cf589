/**
 * fleet-sim: N simulated agents speaking the real agent protocol, with a real agent key, against a real midtier (or a
 * hub, which serves the same agent gateway), for benchmarks and scale tests.
 *
 *   npx nx build fleet-sim
 *   node dist/apps/fleet-sim/main.js --url http://127.0.0.1:5000 --key thresh_live_… \
 *     --agents 1000 --transport socketio --interval 30 --samples-per-report 1 --environments 0 \
 *     --duration 60 --ramp 10 [--poll-interval 5] [--name-prefix sim-] [--json]
 *
 * Agents connect spread over --ramp seconds, register as <name-prefix><n> (ids derived from the names, so a rerun
 * reuses the same nodes; --random-ids for new ones), report every --interval seconds and answer every command with
 * `running` then `succeeded`. A progress line every 5 s, a summary table at the end (JSON on stdout with --json).
 * Exit code 0 when everything sent was acknowledged, 1 otherwise. `--help` lists every option.
 *
 * In-process use (benchmarks, e2e tests): `FleetSimulator` in ./lib/fleet-simulator.ts.
 */
import { parseCliOptions, USAGE } from './lib/cli-options';
import { FleetSimulator, FleetSimulatorError } from './lib/fleet-simulator';
import { formatProgressLine, formatSummary } from './lib/stats-format';

async function main(): Promise<number> {
  const parsed = parseCliOptions(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(`fleet-sim: ${parsed.message} (see --help)\n`);
    return 1;
  }
  const { fleet: fleetOptions, durationSeconds, progressIntervalSeconds, json } = parsed.options;
  const fleet = new FleetSimulator(fleetOptions);
  try {
    await fleet.start();
  } catch (error) {
    if (!(error instanceof FleetSimulatorError)) throw error;
    process.stderr.write(`fleet-sim: ${error.message}\n`);
    return 1;
  }
  // With --json, stdout carries the stats alone.
  const progressOut = json ? process.stderr : process.stdout;
  const progress = progressIntervalSeconds > 0 ? setInterval(() => progressOut.write(`${formatProgressLine(fleet.stats())}\n`), progressIntervalSeconds * 1000) : undefined;

  let durationTimer: NodeJS.Timeout | undefined;
  const reason = await Promise.race([
    new Promise<string>((resolve) => (durationTimer = setTimeout(() => resolve('duration reached'), durationSeconds * 1000))),
    fleet.aborted.then((why) => `gave up: ${why}`),
    interrupted(),
  ]);
  clearTimeout(durationTimer);
  clearInterval(progress);
  progressOut.write(`fleet-sim: stopping (${reason}); waiting for answers to what is in flight…\n`);
  const stats = await fleet.stop();
  await write(json ? `${JSON.stringify(stats, null, 2)}\n` : `\n${formatSummary(stats)}\n`);
  return stats.ok ? 0 : 1;
}

/** The first Ctrl-C ends the run early and still prints the stats; a second one exits at once. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        process.once(signal, () => process.exit(130));
        resolve(`${signal} received`);
      });
    }
  });
}

/** Resolves once flushed: process.exit() right after a large write to a pipe would cut it short. */
function write(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fleet-sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
