import type { CommandResponse, NodeListResponse, NodeResponse, UserResponse } from '@thresh/protocol';
import { DIST, freePort, HubApi, waitFor } from '@thresh/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLauncher, waitForReady } from './support/launcher';
import { temporaryHome } from './support/system';

jest.setTimeout(300_000);

const run = promisify(execFile);

interface FleetStats {
  agents: { total: number; registered: number };
  registrations: { sent: number; acked: number; refused: number; lost: number };
  reports: { sent: number; acked: number; refused: number; lost: number };
  commands: { answered: number };
}

/** Every answer that was not the one its asker should have had. */
class WrongAnswers {
  readonly seen: string[] = [];
  statuses = new Map<number, number>();

  count(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  note(what: string): void {
    if (this.seen.length < 50) this.seen.push(what);
  }
}

/**
 * The load that broke the PGlite default, against `npm start` itself: 300 agents through its midtier and 100 polling
 * its hub over REST, registering and reporting, while eight people with tokens of their own read the fleet and
 * operators send commands. Each asker checks that the answer is its own: its user, its node, its command.
 */
describe('npm start under a concurrent load, on its embedded PostgreSQL', () => {
  const home = temporaryHome();

  afterAll(() => home.remove());

  it('gives every client its own answer: no refused registration, no 401 for a valid token, no 5xx, no query error', async () => {
    const hubPort = await freePort();
    const midtierPort = await freePort();
    let simulating = true;
    const launcher = startLauncher(
      'npm start',
      { THRESH_DATA_DIR: home.path, HUB_PORT: String(hubPort), MIDTIER_PORT: String(midtierPort), HUB_DISABLE_HTTPS: 'true', HUB_RATE_LIMIT_PER_MINUTE: '10000000' },
      home.path,
    );
    try {
      const ready = await waitForReady(launcher);
      const hubUrl = `http://127.0.0.1:${hubPort}`;
      const admin = new HubApi(hubUrl);
      await admin.login(ready.username, ready.password);

      const people = await Promise.all(
        Array.from({ length: 8 }, async (_, index) => {
          const username = `reader-${index}`;
          const role = index % 2 ? 'operator' : 'viewer';
          const created = await admin.request('POST', '/api/users', { username, password: `password-of-${username}`, role });
          expect(created.status).toBe(201);
          const api = new HubApi(hubUrl);
          await api.login(username, `password-of-${username}`);
          return { username, role, api };
        }),
      );
      const fleets = [
        { prefix: 'mid-a-', agents: 150, transport: 'socketio', url: `http://127.0.0.1:${midtierPort}` },
        { prefix: 'mid-b-', agents: 150, transport: 'socketio', url: `http://127.0.0.1:${midtierPort}` },
        { prefix: 'hub-rest-', agents: 100, transport: 'rest', url: hubUrl },
      ] as const;
      const keys = await Promise.all(fleets.map((fleet) => admin.createKey('agent', `load ${fleet.prefix}`)));

      const simulations = Promise.all(
        fleets.map(async (fleet, index) => {
          const { stdout } = await run(
            process.execPath,
            [join(DIST, 'fleet-sim', 'main.js'), '--url', fleet.url, '--agents', String(fleet.agents), '--transport', fleet.transport,
              '--interval', '2', '--duration', '40', '--ramp', '2', '--poll-interval', '1', '--name-prefix', fleet.prefix, '--progress-interval', '0', '--json'],
            { env: { ...process.env, FLEET_SIM_KEY: keys[index] }, maxBuffer: 16 * 1024 * 1024 },
          ).catch((error: { stdout?: string; message: string }) => ({ stdout: error.stdout || JSON.stringify({ error: error.message }) }));
          return JSON.parse(stdout) as FleetStats;
        }),
      ).finally(() => (simulating = false));

      // People reading all the while, five requests at a time each: who am I, a page of nodes, one node by name.
      const wrong = new WrongAnswers();
      const read = async ({ username, role, api }: (typeof people)[number]) => {
        let rounds = 0;
        while (simulating) {
          const prefix = fleets[rounds % fleets.length].prefix;
          const name = `${prefix}${rounds % 100}`;
          const [me, page, node, ...more] = await Promise.all([
            api.request<UserResponse>('GET', '/api/auth/me'),
            api.request<NodeListResponse>('GET', `/api/nodes?name=${prefix}&limit=20`),
            api.request<NodeResponse>('GET', `/api/nodes/${name}`),
            api.request<NodeListResponse>('GET', '/api/nodes?limit=50&sort=lastSeen&order=desc'),
            api.request<NodeListResponse>('GET', '/api/nodes?status=online&limit=1'),
          ]);
          for (const answer of [me, page, node, ...more]) wrong.count(answer.status);
          // Only a node that has not registered yet may be missing (404); everything else is 200.
          for (const answer of [me, page, ...more]) if (answer.status !== 200) wrong.note(`${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
          if (me.status === 200 && (me.body.username !== username || me.body.role !== role)) wrong.note(`${username} was told it is ${me.body.username} (${me.body.role})`);
          if (page.status === 200 && page.body.items.some((item) => !item.name.startsWith(prefix))) wrong.note(`${username} asked for ${prefix}* and got ${page.body.items.map((item) => item.name).join(',')}`);
          if (node.status === 200 && node.body.name !== name) wrong.note(`${username} asked for ${name} and got ${node.body.name}`);
          if (node.status !== 200 && node.status !== 404) wrong.note(`${username}: GET /api/nodes/${name} answered ${node.status}`);
          rounds++;
        }
        return rounds;
      };
      const reading = Promise.all(people.map(read));

      // Once the fleet is up: commands for 60 nodes at once, from both transports, each checked against its node.
      const online = await waitFor('400 simulated nodes online', async () => {
        const list = await admin.request<NodeListResponse>('GET', '/api/nodes?status=online&limit=1000');
        return list.body.items.filter((node) => node.name !== ready.username && /^(mid-a|mid-b|hub-rest)-/.test(node.name)).length === 400 ? list.body.items : undefined;
      }, 90_000);
      const targets = fleets.flatMap((fleet) => online.filter((node) => node.name.startsWith(fleet.prefix)).slice(0, 20));
      expect(targets.length).toBe(60);
      const operator = people.find((person) => person.role === 'operator') as (typeof people)[number];
      const created = await Promise.all(
        targets.map((node, index) => operator.api.request<CommandResponse>('POST', `/api/nodes/${node.name}/up`, { blueprint: 'alpine-minimal', name: `load-${index}` })),
      );
      created.forEach((answer, index) => {
        expect({ status: answer.status, node: answer.body.nodeId, name: answer.body.nodeName }).toEqual({ status: 202, node: targets[index].id, name: targets[index].name });
      });
      const finished = await Promise.all(
        created.map((answer) =>
          waitFor(`command ${answer.body.id} finished`, async () => {
            const command = await admin.request<CommandResponse>('GET', `/api/commands/${answer.body.id}`);
            return command.body.finishedAt ? command.body : undefined;
          }, 60_000),
        ),
      );
      finished.forEach((command, index) => {
        expect({ state: command.state, node: command.nodeId, result: command.result }).toEqual({ state: 'succeeded', node: targets[index].id, result: { simulated: true } });
      });

      const stats = await simulations;
      const rounds = await reading;
      console.log(
        `load on npm start: ${stats.map((fleet, index) => `${fleets[index].prefix}* ${fleet.agents?.registered}/${fleet.agents?.total} registered, reports ${fleet.reports?.acked}/${fleet.reports?.sent}`).join('; ')}; ` +
          `${rounds.reduce((total, count) => total + count, 0) * 5} reads by 8 people (${[...wrong.statuses].map(([status, count]) => `${count}x ${status}`).join(', ')}), 60 commands`,
      );
      stats.forEach((fleet, index) => {
        const { agents } = fleets[index];
        expect({ fleet: fleets[index].prefix, registered: fleet.agents?.registered, refused: fleet.registrations?.refused, reportsRefused: fleet.reports?.refused, reportsLost: fleet.reports?.lost })
          .toEqual({ fleet: fleets[index].prefix, registered: agents, refused: 0, reportsRefused: 0, reportsLost: 0 });
        expect(fleet.reports.acked).toBe(fleet.reports.sent);
        expect(fleet.reports.sent).toBeGreaterThanOrEqual(agents * 10);
      });
      expect(rounds.every((count) => count >= 3)).toBe(true);
      expect(wrong.seen).toEqual([]);

      // Each simulated node exactly once, under its own name.
      const all = await admin.request<NodeListResponse>('GET', '/api/nodes?limit=1000');
      const names = all.body.items.map((node) => node.name).filter((name) => /^(mid-a|mid-b|hub-rest)-/.test(name));
      expect(new Set(names).size).toBe(400);
      expect(names.length).toBe(400);
      expect(new Set(all.body.items.map((node) => node.agentId)).size).toBe(all.body.items.length);
    } finally {
      simulating = false;
      await launcher.stop('SIGINT');
    }
    // Nothing went wrong inside either: no query error, no error logged by the hub or the midtier.
    const errors = launcher.logs.split('\n').filter((line) => /QueryFailedError|portal ".*" does not exist|invalid input syntax| ERROR |Internal error/.test(line));
    expect(errors).toEqual([]);
    expect(launcher.child.exitCode).toBe(0);
  });
});
