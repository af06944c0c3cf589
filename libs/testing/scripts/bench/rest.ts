// Figure 5: the REST fallback. Agents over the agent REST protocol on one midtier, each polling for commands every
// 5 s and reporting every 30 s (the agent's defaults); p99 of poll and report requests and every error over a fixed
// window, beside the same load on the bare server's REST side (bare-server.ts). The load is rest-client.ts, in
// several processes: the fleet simulator does not time polls.
import { checkDescriptors, cpuMeter, describeCpu, figure, int, MidtierHealth, ms, Processes, simulatorProcesses, SizeOptions, sleep, startHelper, summarize, withHubAndMidtier } from './common';
import type { WindowResult } from './rest-client';

const size = ({ smoke, agents }: SizeOptions) => ({ agents: agents ?? (smoke ? 500 : 5_000), pollSeconds: 5, reportSeconds: 30, rampSeconds: smoke ? 2 : 10, warmupSeconds: smoke ? 2 : 10, windowSeconds: smoke ? 10 : 60 });
type Size = ReturnType<typeof size>;

export default figure({
  id: 'rest',
  number: 5,
  title: 'REST fallback: poll and report latency',
  target: 'p99 < 100 ms, no error',
  size,
  describeSize: (size) => `${int(size.agents)} agents, poll every ${size.pollSeconds} s, report every ${size.reportSeconds} s, ${size.windowSeconds} s window`,

  async run(size, log) {
    return withHubAndMidtier('rest', size.agents, async ({ processes, hub, agentKey, midtier }) => {
      log(`${size.agents} REST agents registering over ${size.rampSeconds} s`);
      let health: MidtierHealth | undefined;
      const thresh = await load(processes, midtier.url, agentKey, size, 'rest-', { hub: [hub.pid], midtier: [midtier.pid] }, async () => (health = await midtier.health()));
      await processes.stop(midtier.child);
      await processes.stop(hub.child);
      log(`thresh: poll p99 ${ms(thresh.poll.p99)}, report p99 ${ms(thresh.report.p99)}, ${thresh.errorCount} errors; now the bare server`);

      const bare = await startHelper(processes, 'bare server', 'bare-server.ts', []);
      const baseline = await load(processes, `http://127.0.0.1:${bare.ready.port}`, agentKey, size, 'bare-', { bare: [bare.pid] });

      const pass = thresh.poll.p99 < 100 && thresh.report.p99 < 100 && thresh.errorCount === 0;
      return {
        measured: `poll p99 ${ms(thresh.poll.p99)} (p50 ${ms(thresh.poll.p50)}), report p99 ${ms(thresh.report.p99)} (p50 ${ms(thresh.report.p50)}); ${thresh.errorCount} errors in ${int(thresh.requests)} requests`,
        baseline: `poll p99 ${ms(baseline.poll.p99)}, report p99 ${ms(baseline.report.p99)}; ${baseline.errorCount} errors, bare HTTP server`,
        ratio: `poll p99 ${(thresh.poll.p99 / baseline.poll.p99).toFixed(1)}x`,
        pass,
        broken: thresh.errorCount ? `${thresh.errorCount} requests failed` : undefined,
        note:
          `${pass ? '' : 'Misses: '}${thresh.errorCount ? `errors: ${JSON.stringify(thresh.errors)}; ` : ''}` +
          `${thresh.report.p99 >= 100 ? `a report waits for the midtier's next batch to the hub (it leaves MIDTIER_METRICS_FLUSH_MS after the first report waiting, or when full) and is answered once the hub has stored it (p50 ${ms(thresh.report.p50)}); ` : ''}` +
          `${int(thresh.poll.count)} polls (wait=0, so each is answered at once) and ${int(thresh.report.count)} reports timed. ` +
          `The bare server's poll p99 (${ms(baseline.poll.p99)}) is the floor of this client on this machine. ` +
          `The midtier held ${int(health?.agentsPolling ?? 0)} polling sessions. CPU over the window: ${describeCpu(thresh.cpu)}.`,
        commands: processes.commands,
        details: { thresh, baseline, midtierHealth: health },
      };
    });
  },
});

async function load(processes: Processes, url: string, key: string, size: Size, prefix: string, cpuGroups: Record<string, number[]>, beforeEnd: () => Promise<unknown> = async () => undefined) {
  const count = simulatorProcesses(size.agents);
  const per = Math.ceil(size.agents / count);
  checkDescriptors('one REST client process', per);
  const clients = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      startHelper<{ registered: number }>(
        processes,
        `rest client ${index + 1}`,
        'rest-client.ts',
        ['--url', url, '--agents', String(Math.min(per, size.agents - index * per)), '--prefix', `${prefix}${index + 1}-`, '--poll-interval', String(size.pollSeconds), '--report-interval', String(size.reportSeconds), '--ramp', String(size.rampSeconds)],
        { env: { FLEET_SIM_KEY: key }, shownEnv: { FLEET_SIM_KEY: '<agent key>' }, readyTimeoutMs: size.rampSeconds * 1000 + 120_000 },
      ),
    ),
  );
  await sleep(size.warmupSeconds * 1000);
  const cpu = cpuMeter({ ...cpuGroups, clients: clients.map((client) => client.pid) });
  for (const client of clients) process.kill(client.pid, 'SIGUSR1');
  await sleep(size.windowSeconds * 1000);
  await beforeEnd();
  for (const client of clients) process.kill(client.pid, 'SIGUSR2');
  const usage = cpu.stop();
  const results = await Promise.all(clients.map(async (client): Promise<WindowResult> => JSON.parse((await client.lines.next(30_000)) ?? 'null')));
  await Promise.all(clients.map((client) => client.child.exited));
  const errors: Record<string, number> = {};
  for (const result of results) for (const [reason, times] of Object.entries(result.errors)) errors[reason] = (errors[reason] ?? 0) + times;
  const attempts = results.reduce((total, result) => total + result.attempts.poll + result.attempts.report, 0);
  return {
    poll: summarize(results.flatMap((result) => result.timings.poll)),
    report: summarize(results.flatMap((result) => result.timings.report)),
    register: summarize(results.flatMap((result) => result.timings.register)),
    requests: attempts,
    errors,
    errorCount: Object.values(errors).reduce((total, times) => total + times, 0),
    errorsOutsideWindow: Object.assign({}, ...results.map((result) => result.errorsOutsideWindow)),
    cpu: usage,
  };
}
