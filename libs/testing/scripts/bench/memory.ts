// Figure 1: memory per connected agent on one midtier, beside a bare Socket.IO server holding as many connections.
// RSS of the server process (/proc/<pid>/status VmRSS) before the agents and once they are all connected and
// registered, each read right after full garbage collections forced through the inspector (SIGUSR1), in both
// processes alike; per agent = delta / agents. The JS heap in use, and RSS without a forced collection, go in the note. Agents come from the fleet simulator in separate processes, reporting every
// 300 s so that memory is about connections.
import { cpuMeter, describeCpu, figure, HeapGroups, heapGrowth, inspect, int, kib, Processes, SizeOptions, sleep, startFleet, startHelper, startMidtier, steadyRss, withHubAndMidtier } from './common';

const size = ({ smoke, agents }: SizeOptions) => ({ agents: agents ?? (smoke ? 500 : 10_000), rampSeconds: smoke ? 2 : 20, settleSeconds: smoke ? 3 : 10, breakdownAgents: smoke ? 0 : 1000 });
type Size = ReturnType<typeof size>;

export default figure({
  id: 'memory',
  number: 1,
  title: 'Memory per connected agent, one midtier',
  target: '<= 1.5x the bare server',
  size,
  describeSize: (size) => `${int(size.agents)} agents`,

  async run(size, log) {
    return withHubAndMidtier('memory', size.agents, async ({ processes, spoolDir, hub, agentKey, midtier }) => {
      log(`midtier up; ${size.agents} agents connecting over ${size.rampSeconds} s`);
      const thresh = await hold(processes, midtier.pid, midtier.url, agentKey, size, { hub: [hub.pid], midtier: [midtier.pid] });
      const health = await midtier.health();
      if (health.agentsConnected < size.agents) throw new Error(`the midtier holds ${health.agentsConnected} agents, not ${size.agents}`);
      await thresh.stopFleet();
      await processes.stop(midtier.child);
      log(`midtier: ${kib(thresh.perAgent)} per agent; now the bare Socket.IO server`);

      const bare = await startHelper(processes, 'bare server', 'bare-server.ts', []);
      const bareUrl = `http://127.0.0.1:${bare.ready.port}`;
      const baseline = await hold(processes, bare.pid, bareUrl, agentKey, size, { bare: [bare.pid] });
      await baseline.stopFleet();
      await processes.stop(bare.child);

      const ratio = thresh.perAgent / baseline.perAgent;
      const pass = ratio <= 1.5;
      // What the midtier holds per agent beyond the bare server: heap snapshots (before and after) of a smaller fleet
      // on fresh processes, so that the snapshots neither grow the figure's RSS nor get too large to read whole.
      let extra = 'no breakdown by constructor at this size (the full size takes one when the target is missed)';
      if (!pass && size.breakdownAgents > 0) {
        log(`heap snapshots of both servers with ${size.breakdownAgents} agents, for the breakdown`);
        const snapshotMidtier = await startMidtier(processes, hub.url, await hub.createKey('midtier'), { spoolDir });
        const threshGrowth = await snapshotGrowth(processes, snapshotMidtier.pid, snapshotMidtier.url, agentKey, size.breakdownAgents);
        await processes.stop(snapshotMidtier.child);
        const snapshotBare = await startHelper(processes, 'bare server', 'bare-server.ts', []);
        const bareGrowth = await snapshotGrowth(processes, snapshotBare.pid, `http://127.0.0.1:${snapshotBare.ready.port}`, agentKey, size.breakdownAgents);
        await processes.stop(snapshotBare.child);
        extra = describeExtra(threshGrowth, bareGrowth, size.breakdownAgents);
      }
      return {
        measured: `${kib(thresh.perAgent)} per agent (RSS ${mib(thresh.before)} -> ${mib(thresh.after)})`,
        baseline: `${kib(baseline.perAgent)} per agent, bare Socket.IO (RSS ${mib(baseline.before)} -> ${mib(baseline.after)})`,
        ratio: `${ratio.toFixed(2)}x`,
        pass,
        note:
          `${pass ? '' : 'Misses: '}JS heap in use grows ${kib(thresh.heapPerAgent)} per agent in the midtier, ${kib(baseline.heapPerAgent)} in the bare server ` +
          `(+${kib(thresh.heapPerAgent - baseline.heapPerAgent)}; ${extra}); ` +
          `without a forced collection RSS grows ${kib(thresh.withoutCollection.perAgent)} vs ${kib(baseline.withoutCollection.perAgent)} per agent. ` +
          `CPU while connecting: ${describeCpu(thresh.cpu)}.`,
        commands: processes.commands,
        details: { thresh: strip(thresh), baseline: strip(baseline), midtierStartupMs: midtier.startupMs },
      };
    });
  },
});

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const strip = (held: Held) => Object.fromEntries(Object.entries(held).filter(([, value]) => typeof value !== 'function'));

/** The objects the midtier holds per agent beyond what the bare server holds, the largest first. */
function describeExtra(thresh: HeapGroups, bare: HeapGroups, agents: number): string {
  const label = (name: string) => (({ closure: 'closures', 'system / Context': 'closure contexts', '(array)': 'internal arrays', '(code)': 'compiled code', '(string)': 'strings', OperatorSubscriber: 'rxjs OperatorSubscriber', SafeSubscriber: 'rxjs SafeSubscriber' }) as Record<string, string>)[name] ?? name;
  const rows = [...thresh]
    .map(([name, group]) => ({ name, count: group.count - (bare.get(name)?.count ?? 0), bytes: group.bytes - (bare.get(name)?.bytes ?? 0) }))
    .filter((row) => row.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
  return `heap snapshots at ${int(agents)} agents, objects per agent beyond the bare server's: ${rows.map((row) => `${label(row.name)} +${row.count.toFixed(0)} (${kib(row.bytes)})`).join(', ')}`;
}

/** Heap snapshots (after full collections) before and after `agents` connect: the growth per agent by constructor. */
async function snapshotGrowth(processes: Processes, serverPid: number, url: string, key: string, agents: number): Promise<HeapGroups> {
  const probe = await inspect(serverPid);
  try {
    const before = await probe.constructors();
    const fleet = await startFleet(processes, { url, key, agents, interval: 300, ramp: 3, prefix: 'heap-' });
    await fleet.waitAllRegistered(120_000);
    await sleep(3000);
    const after = await probe.constructors();
    await fleet.stop();
    return heapGrowth(before, after, agents);
  } finally {
    probe.close();
  }
}

type Held = Awaited<ReturnType<typeof hold>>;

async function hold(processes: Processes, serverPid: number, url: string, key: string, size: Size, cpuGroups: Record<string, number[]>) {
  const rawBefore = await steadyRss(serverPid);
  const probe = await inspect(serverPid);
  try {
    const before = await probe.collect();
    const fleet = await startFleet(processes, {
      url,
      key,
      agents: size.agents,
      interval: 300,
      ramp: size.rampSeconds,
      prefix: 'mem-',
    });
    const cpu = cpuMeter({ ...cpuGroups, simulators: fleet.pids });
    const connectMs = await fleet.waitAllRegistered(size.rampSeconds * 1000 + 180_000);
    const usage = cpu.stop();
    await sleep(size.settleSeconds * 1000);
    const rawAfter = await steadyRss(serverPid);
    const after = await probe.collect();
    return {
      before: before.rss,
      after: after.rss,
      perAgent: (after.rss - before.rss) / size.agents,
      heapPerAgent: (after.heapUsed - before.heapUsed) / size.agents,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      withoutCollection: { before: rawBefore, after: rawAfter, perAgent: (rawAfter - rawBefore) / size.agents },
      connectMs,
      cpu: usage,
      async stopFleet() {
        const stats = await fleet.stop();
        if (stats.agents.everRegistered < size.agents) throw new Error(`only ${stats.agents.everRegistered} of ${size.agents} agents registered`);
        return stats;
      },
    };
  } finally {
    probe.close();
  }
}
