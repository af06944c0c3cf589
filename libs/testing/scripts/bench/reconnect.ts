// Figure 4: reconnect storm. The whole fleet on one midtier; the midtier is killed (SIGKILL) and started again on the
// same port; the time from the kill until every agent is registered again (as the simulators count it), beside the
// same storm against the bare Socket.IO server (bare-server.ts). Then no sample may be lost: once the fleet has
// reported again, every node's rows in metric_samples run from seq 0 without a gap, and the rows stored are exactly the
// samples the simulators generated (reports lost in the kill are sent again, and a repeat is stored once).
import { BenchChild, cpuMeter, describeCpu, figure, freePort, int, Processes, query, SizeOptions, sleep, startFleet, startHelper, startMidtier, withHubAndMidtier } from './common';

const size = ({ smoke, agents }: SizeOptions) => ({ agents: agents ?? (smoke ? 500 : 10_000), intervalSeconds: smoke ? 5 : 30, rampSeconds: smoke ? 2 : 20, limitSeconds: smoke ? 60 : 180 });
type Size = ReturnType<typeof size>;

export default figure({
  id: 'reconnect',
  number: 4,
  title: 'Reconnect storm: midtier killed and restarted',
  target: 'all back within 60 s, no sample lost',
  size,
  describeSize: (size) => `${int(size.agents)} agents reporting every ${size.intervalSeconds} s`,

  async run(size, log) {
    return withHubAndMidtier('reconnect', size.agents, async ({ processes, db, spoolDir, hub, agentKey, midtierKey, midtier: firstMidtier }) => {
      let midtier = firstMidtier;
      let restartMs = NaN;
      const thresh = await storm(processes, size, log, {
        url: midtier.url,
        key: agentKey,
        prefix: 'storm-',
        cpuGroups: () => ({ hub: [hub.pid], midtier: [midtier.pid] }),
        kill: () => processes.stop(midtier.child, 'SIGKILL'),
        restart: async () => {
          midtier = await startMidtier(processes, hub.url, midtierKey, { port: midtier.port, spoolDir });
          restartMs = midtier.startupMs;
        },
      });
      const [rows] = await query<{ nodes: number; rows: string; broken: number }>(
        db.url,
        `SELECT count(*)::int AS nodes, coalesce(sum(c), 0)::bigint AS rows, count(*) FILTER (WHERE c <> mx + 1 OR mn <> 0)::int AS broken
           FROM (SELECT node_id, count(*) AS c, max(seq) AS mx, min(seq) AS mn FROM metric_samples GROUP BY node_id) per_node`,
      );
      await processes.stop(midtier.child);
      await processes.stop(hub.child);
      const stored = Number(rows.rows);
      const generated = thresh.stats.samples.generated - thresh.stats.samples.dropped;
      const noLoss = rows.broken === 0 && stored === generated && thresh.stats.samples.dropped === 0 && rows.nodes === size.agents;
      log(`thresh: all back in ${seconds(thresh.backMs)}; ${int(stored)} rows for ${int(generated)} samples generated, ${rows.broken} nodes with gaps`);

      const bare: { child?: BenchChild } = {};
      const barePort = await freePort();
      const startBare = async () => (bare.child = (await startHelper(processes, 'bare server', 'bare-server.ts', [String(barePort)])).child);
      await startBare();
      const baseline = await storm(processes, size, log, {
        url: `http://127.0.0.1:${barePort}`,
        key: agentKey,
        prefix: 'bare-',
        cpuGroups: () => ({ bare: [bare.child?.pid ?? 0] }),
        kill: () => processes.stop(bare.child, 'SIGKILL'),
        restart: startBare,
      });

      const pass = thresh.allBack && thresh.backMs <= 60_000 && noLoss;
      const lossText = noLoss
        ? `no sample lost: ${int(stored)} rows = samples generated, every node's seq continuous from 0`
        : `SAMPLES LOST: ${int(stored)} rows for ${int(generated)} samples generated, ${rows.broken} of ${rows.nodes} nodes with a gap, ${thresh.stats.samples.dropped} dropped`;
      return {
        measured: `${thresh.allBack ? 'all back' : `${int(thresh.registeredAtEnd)} of ${int(size.agents)} back`} in ${seconds(thresh.backMs)} (90% in ${seconds(thresh.ninetyMs)}); ${noLoss ? 'no sample lost' : 'samples lost'}`,
        baseline: `${baseline.allBack ? 'all back' : `${int(baseline.registeredAtEnd)} back`} in ${seconds(baseline.backMs)} (90% in ${seconds(baseline.ninetyMs)}), bare Socket.IO server restarted`,
        ratio: `${(thresh.backMs / baseline.backMs).toFixed(1)}x`,
        pass,
        broken: !noLoss ? 'samples lost' : !thresh.allBack ? 'agents did not come back' : undefined,
        note:
          `${pass ? '' : 'Misses: '}${lossText}; the midtier answered again ${seconds(restartMs)} after it was started. ` +
          `Reports lost in the kill: ${int(thresh.stats.reports.lost)} (${int(thresh.stats.samples.lost)} samples${noLoss ? ', all sent again and stored once' : ''}); simulator: ${int(thresh.stats.samples.acked)} of ${int(thresh.stats.samples.sent)} sample transmissions acknowledged. ` +
          `The simulator's backoff (1 s base, doubling, jittered) sets the pace while the midtier is down. CPU during the storm: ${describeCpu(thresh.cpu)}.`,
        commands: [...processes.commands, 'kill -KILL <midtier pid>, then the same midtier command again on the same port'],
        details: { thresh: { ...thresh, rows, generated, restartMs }, baseline },
      };
    });
  },
});

const seconds = (milliseconds: number) => (Number.isFinite(milliseconds) ? `${(milliseconds / 1000).toFixed(1)} s` : 'n/a');

/** Connects the fleet, lets it report, kills and restarts the server, times the way back, lets it report again. */
type Storm = { url: string; key: string; prefix: string; cpuGroups(): Record<string, number[]>; kill(): Promise<unknown>; restart(): Promise<unknown> };

async function storm(processes: Processes, size: Size, log: (message: string) => void, { url, key, prefix, cpuGroups, kill, restart }: Storm) {
  const fleet = await startFleet(processes, {
    url,
    key,
    agents: size.agents,
    interval: size.intervalSeconds,
    ramp: size.rampSeconds,
    prefix,
    progressInterval: 0.2,
  });
  await fleet.waitAllRegistered(size.rampSeconds * 1000 + 180_000);
  // Every agent reports once at least before the kill.
  await sleep((size.intervalSeconds + 2) * 1000);
  const reconnectsBefore = fleet.reconnects();
  const killedAt = Date.now();
  await kill();
  await restart();
  const cpu = cpuMeter({ ...cpuGroups(), simulators: fleet.pids });
  let ninetyMs: number | undefined;
  let allBack = true;
  try {
    await fleet.waitUntil(
      `${size.agents} agents to register again`,
      () => {
        const back = Math.min(fleet.registered(), fleet.reconnects() - reconnectsBefore);
        if (ninetyMs === undefined && back >= 0.9 * size.agents) ninetyMs = Date.now() - killedAt;
        return back >= size.agents;
      },
      size.limitSeconds * 1000,
    );
  } catch (error) {
    if (!/timed out/.test((error as Error).message)) throw error;
    allBack = false;
  }
  const backMs = Date.now() - killedAt;
  const usage = cpu.stop();
  const registeredAtEnd = fleet.registered();
  log(`${prefix.replace(/-$/, '')}: ${allBack ? 'all' : registeredAtEnd} back ${(backMs / 1000).toFixed(1)} s after the kill; letting every agent report again`);
  // The next report of each agent carries what the kill left unacknowledged.
  await sleep((size.intervalSeconds + 3) * 1000);
  const stats = await fleet.stop();
  return { allBack, backMs: allBack ? backMs : Infinity, ninetyMs: ninetyMs ?? Infinity, registeredAtEnd, cpu: usage, stats };
}
