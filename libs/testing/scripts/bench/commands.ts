// Figure 3: command round trip hub API -> midtier -> agent -> result, p50 and p99, with the whole fleet connected,
// beside a raw Socket.IO echo over the same two hops (echo-relay.ts). Each command is an `environment.up` created with
// POST /api/nodes/<simulated node>/up; the simulator answers every command with running then succeeded, and the time
// is taken from just before the POST until the hub's /dashboard namespace pushes command:progress `succeeded` for it
// (no polling). Commands go one at a time, spaced, to nodes picked at random.
import { performance } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';
import { connected, cpuMeter, describeCpu, figure, int, ms, sleep, startFleet, startHelper, summarize, withHubAndMidtier } from './common';

export default figure({
  id: 'commands',
  number: 3,
  title: 'Command round trip, hub API -> agent -> result',
  target: 'p99 <= 50 ms',
  size: ({ smoke, agents }) => ({ agents: agents ?? (smoke ? 500 : 10_000), commands: 200, gapMs: smoke ? 20 : 100, rampSeconds: smoke ? 2 : 20 }),
  describeSize: (size) => `${int(size.agents)} agents, ${size.commands} commands`,

  async run(size, log) {
    return withHubAndMidtier('commands', size.agents, async ({ processes, hub, agentKey, midtier }) => {
      let dashboard: Socket | undefined;
      let caller: Socket | undefined;
      try {
        const fleet = await startFleet(processes, {
          url: midtier.url,
          key: agentKey,
          agents: size.agents,
          interval: 300,
          ramp: size.rampSeconds,
          prefix: 'cmd-',
        });
        await fleet.waitAllRegistered(size.rampSeconds * 1000 + 180_000);
        log(`${size.agents} agents registered; ${size.commands} commands, ${size.gapMs} ms apart`);

        // The outcome as the dashboard hears it: the moment each command's `succeeded` arrives.
        dashboard = io(`${hub.url}/dashboard`, { auth: { token: hub.token }, transports: ['websocket'], reconnection: false });
        await connected(dashboard);
        const succeeded = new Map<string, number>();
        const waiting = new Map<string, (at: number) => void>();
        dashboard.on('command:progress', (event: { commandId: string; state: string }) => {
          if (event.state !== 'succeeded') return;
          const at = performance.now();
          succeeded.set(event.commandId, at);
          waiting.get(event.commandId)?.(at);
        });
        const outcome = (id: string) =>
          succeeded.has(id)
            ? Promise.resolve(succeeded.get(id) ?? 0)
            : new Promise<number>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`command ${id} did not succeed within 30 s`)), 30_000);
                waiting.set(id, (at) => {
                  clearTimeout(timer);
                  resolve(at);
                });
              });

        const roundTrips: number[] = [];
        const posts: number[] = [];
        const cpu = cpuMeter({ hub: [hub.pid], midtier: [midtier.pid], simulators: fleet.pids });
        for (let index = 0; index < size.commands; index++) {
          const node = fleet.nodeName(Math.floor(Math.random() * size.agents));
          const began = performance.now();
          const command = await hub.post<{ id: string }>(`/api/nodes/${node}/up`, { blueprint: 'bench', name: `bench-${index}` });
          posts.push(performance.now() - began);
          roundTrips.push((await outcome(command.id)) - began);
          waiting.delete(command.id);
          await sleep(size.gapMs);
        }
        const usage = cpu.stop();
        const thresh = summarize(roundTrips);
        const post = summarize(posts);
        const stats = await fleet.stop();
        await processes.stop(midtier.child);
        await processes.stop(hub.child);
        log(`thresh: p50 ${ms(thresh.p50)}, p99 ${ms(thresh.p99)}; now the raw Socket.IO echo`);

        // The same number of round trips, the same spacing, through a relay to an echo client.
        const relay = await startHelper(processes, 'relay', 'echo-relay.ts', ['relay']);
        const relayUrl = `http://127.0.0.1:${relay.ready.port}`;
        await startHelper(processes, 'echo', 'echo-relay.ts', ['echo', relayUrl]);
        caller = io(`${relayUrl}/relay`, { auth: { role: 'api' }, transports: ['websocket'], reconnection: false });
        await connected(caller);
        const echoes: number[] = [];
        for (let index = 0; index < size.commands; index++) {
          const began = performance.now();
          const answer = await caller.timeout(30_000).emitWithAck('command', { id: `echo-${index}`, kind: 'environment.up', payload: { blueprint: 'bench', name: `bench-${index}` } });
          if (!answer?.ok) throw new Error(`echo failed: ${JSON.stringify(answer)}`);
          echoes.push(performance.now() - began);
          await sleep(size.gapMs);
        }
        const echo = summarize(echoes);
        const pass = thresh.p99 <= 50;
        return {
          measured: `p50 ${ms(thresh.p50)}, p99 ${ms(thresh.p99)} (max ${ms(thresh.max)})`,
          baseline: `p50 ${ms(echo.p50)}, p99 ${ms(echo.p99)}, raw Socket.IO echo over two hops`,
          ratio: `p99 ${(thresh.p99 / echo.p99).toFixed(0)}x`,
          pass,
          note:
            `${pass ? '' : 'Misses: '}the round trip holds the POST (${ms(post.p50)} p50, ${ms(post.p99)} p99: command and audit rows, marked dispatched, read back) ` +
            `and two updates from the agent, each stored by the hub before it is acknowledged, before the dashboard hears \`succeeded\`. ` +
            `CPU over the commands: ${describeCpu(usage)}. Simulator: ${stats.commands.answered} commands answered (${stats.commands.received} deliveries, ${stats.commands.duplicates} of them repeats it recognised).`,
          commands: [...processes.commands, `POST /api/nodes/<node>/up {"blueprint":"bench","name":"bench-<n>"}, waited for on /dashboard command:progress`],
          details: { thresh, post, echo, cpu: usage, simulator: { commands: stats.commands, commandUpdates: stats.commandUpdates, problems: stats.problems } },
        };
      } finally {
        dashboard?.close();
        caller?.close();
      }
    });
  },
});
