import { AGENT_REST_PREFIX, AGENT_SESSION_HEADER, type CommandListResponse, type CommandResponse, type EnvironmentInfo, type NodeBlueprintsResponse } from '@thresh/protocol';
import { agentRegistration, freePort, runThresh, waitFor } from '@thresh/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningSystem, startSystem, temporaryHome } from './support/system';

/** A small HTTP service in the environment's workspace that answers with what its setup script wrote. */
const httpService = (port: number) => ({
  description: 'Says what its setup wrote',
  environment: { GREETING: 'hello from thresh' },
  ports: [port],
  scripts: {
    setup: 'echo "setting up: $GREETING" && printf "%s" "$GREETING" > greeting.txt && echo ran >> "$THRESH_ENVIRONMENT_DIR/../../setup-runs-$THRESH_ENVIRONMENT"',
    postInstall: 'echo "post-install in $(basename "$PWD")"',
  },
  command: `exec node -e "require('http').createServer((q, s) => s.end(require('fs').readFileSync('greeting.txt'))).listen(${port}, '127.0.0.1')"`,
});

const answers = async (port: number): Promise<string | null> => {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/`)).text();
  } catch {
    return null;
  }
};

describe('blueprints and environments on a real agent, through hub and midtier, with the real thresh binary', () => {
  let system: RunningSystem;
  const home = temporaryHome();
  const agent = { THRESH_HOME: home.path };
  let cli: NodeJS.ProcessEnv;
  const ports = { site: 0, later: 0, local: 0 };
  const thresh = (...args: string[]) => runThresh(args, cli);
  const setupRuns = (environment: string) => {
    const file = join(home.path, `setup-runs-${environment}`);
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;
  };
  const localEnvironment = async (name: string) =>
    (JSON.parse((await runThresh(['list', '--json'], agent)).stdout) as EnvironmentInfo[]).find((environment) => environment.name === name);
  const commandOf = async (kind: string, state?: string) =>
    (await system.api.request<CommandListResponse>('GET', `/api/commands?node=env-node&kind=${kind}${state ? `&state=${state}` : ''}`)).body.items;

  beforeAll(async () => {
    system = await startSystem('environments');
    cli = { THRESH_HOME: home.path, THRESH_TOKEN: system.api.token, THRESH_HUB: system.hubUrl };
    [ports.site, ports.later, ports.local] = [await freePort(), await freePort(), await freePort()];
    mkdirSync(join(home.path, 'blueprints'));
    writeFileSync(join(home.path, 'blueprints', 'site.json'), JSON.stringify({ name: 'site', ...httpService(ports.site) }));
    writeFileSync(join(home.path, 'blueprints', 'later.json'), JSON.stringify({ name: 'later', ...httpService(ports.later) }));
    writeFileSync(
      join(home.path, 'blueprints', 'local-site.yaml'),
      `name: local-site\nports: [${ports.local}]\ncommand: exec node -e "require('http').createServer((q, s) => s.end('local')).listen(${ports.local}, '127.0.0.1')"\n`,
    );
    writeFileSync(join(home.path, 'blueprints', 'broken.json'), JSON.stringify({ name: 'broken', scripts: { setup: 'echo "about to fail"; exit 3' } }));
    writeFileSync(join(home.path, 'blueprints', 'invalid.yaml'), 'name: invalid\nports: [not-a-port]\n');

    const agentKey = await system.api.createKey('agent', 'environments node');
    for (const [key, value] of [
      ['midtier-url', system.midtierUrl],
      ['api-key', agentKey],
      ['metrics-interval', '2'],
      ['reconnect-delay', '1'],
      ['node-name', 'env-node'],
    ]) {
      expect((await runThresh(['agent', 'config', 'set', key, value], agent)).code).toBe(0);
    }
    expect((await runThresh(['agent', 'start'], agent)).code).toBe(0);
    await waitFor('env-node online', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/env-node')).body.status === 'online', 20_000);
  });

  afterAll(async () => {
    for (const environment of ['local', 'site', 'later', 'bad']) await runThresh(['destroy', environment, '--yes'], agent);
    await runThresh(['agent', 'stop'], agent);
    await system?.stop();
    home.remove();
  });

  it('lists the node\'s blueprints: the built-in ones and its own files, a command round trip', async () => {
    const table = await thresh('node', 'blueprints', 'env-node');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+SOURCE\s+BASE\s+SERVICE\s+DESCRIPTION/m);
    const listed = JSON.parse((await thresh('node', 'blueprints', 'env-node', '--json')).stdout) as NodeBlueprintsResponse;
    expect(listed.blueprints.map((blueprint) => `${blueprint.name}:${blueprint.source}`)).toEqual([
      'alpine-minimal:builtin', 'broken:custom', 'later:custom', 'local-site:custom', 'node-dev:builtin', 'postgres-dev:builtin',
      'python-dev:builtin', 'site:custom', 'ubuntu-dev:builtin',
    ]);
    expect((await commandOf('blueprints.list', 'succeeded')).length).toBe(2);
  });

  it('deploys a process blueprint remotely: steps shown, exit 0, the service runs, the output is kept', async () => {
    const deployed = await thresh('node', 'up', 'env-node', 'site', '--name', 'site');
    expect({ code: deployed.code, stderr: deployed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(deployed.stdout).toContain('Deploying site as "site" on env-node');
    expect(deployed.stdout.split('\n').filter((line) => /^[✓✗] /.test(line))).toEqual(['✓ prepare', '✓ setup', '✓ postInstall', '✓ start']);
    expect(deployed.stdout).toMatch(/Environment site is running \(process driver, pid \d+, ports \d+\)/);
    expect(await answers(ports.site)).toBe('hello from thresh');

    const [command] = await commandOf('environment.up');
    expect(command).toEqual(expect.objectContaining({ state: 'succeeded', createdBy: 'admin', payload: { blueprint: 'site', name: 'site' } }));
    expect(command.output).toContain('setting up: hello from thresh');
    expect(command.output).toContain('post-install in workspace');
    expect((command.result as { environment: EnvironmentInfo }).environment).toEqual(expect.objectContaining({ name: 'site', status: 'running', driver: 'process' }));

    const environments = await thresh('node', 'environments', 'env-node');
    expect(environments.stdout).toMatch(/^site\s+site\s+process\s+running\s+\d+\s+\d+\s+0$/m);
    // The next metric sample carries it too.
    await waitFor('site in the node row', async () =>
      (await system.api.request<{ environments: { name: string; status: string }[] }>('GET', '/api/nodes/env-node')).body.environments.some(
        (environment) => environment.name === 'site' && environment.status === 'running',
      ),
    );
  });

  it('fails a deployment whose setup script fails: exit 5, the reason and the output, state failed', async () => {
    const failed = await thresh('node', 'up', 'env-node', 'broken', '--name', 'bad');
    expect(failed.code).toBe(5);
    expect(failed.stdout).toContain('✗ setup: setup script exited with code 3');
    expect(failed.stderr).toContain('environment.up on env-node failed: setup script exited with code 3');
    expect(failed.stderr).toContain('| about to fail');
    const [command] = await commandOf('environment.up', 'failed');
    expect(command).toEqual(expect.objectContaining({ error: 'setup script exited with code 3', output: expect.stringContaining('about to fail') }));

    const duplicate = await thresh('node', 'up', 'env-node', 'site', '--name', 'site');
    expect(duplicate.code).toBe(5);
    expect(duplicate.stderr).toContain('environment "site" already exists');
    const unknown = await thresh('node', 'up', 'env-node', 'no-such-blueprint', '--name', 'x');
    expect(unknown.stderr).toContain('no blueprint named "no-such-blueprint"');
    const invalid = await thresh('node', 'up', 'env-node', 'invalid', '--name', 'x');
    expect(invalid.stderr).toContain('invalid blueprint: ports.0: Invalid input: expected number');
    expect((await thresh('node', 'up', 'nowhere', 'site', '--name', 'x')).code).toBe(4);
  });

  it('stops and starts an environment remotely, and restarts its command when it dies', async () => {
    const stopped = await thresh('node', 'env', 'stop', 'env-node', 'site');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Environment site is stopped (process driver, ports');
    expect(await answers(ports.site)).toBeNull();
    const started = await thresh('node', 'env', 'start', 'env-node', 'site');
    expect(started.stdout).toMatch(/Environment site is running \(process driver, pid (\d+)/);
    await waitFor('site answering again', async () => (await answers(ports.site)) === 'hello from thresh');

    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
    process.kill(-pid, 'SIGKILL');
    const restarted = await waitFor(
      'the agent to restart the killed command',
      async () => {
        const site = await localEnvironment('site');
        return site && site.restarts === 1 && site.runningAs !== String(pid) && site.status === 'running' ? site : undefined;
      },
      15_000,
    );
    expect(restarted.runningAs).toMatch(/^\d+$/);
    await waitFor('site answering after the restart', async () => (await answers(ports.site)) === 'hello from thresh');
  });

  it('runs a deployment sent while the agent was away once it is back, exactly once, and re-adopts what ran', async () => {
    const before = (await localEnvironment('site')) as EnvironmentInfo;
    expect((await runThresh(['agent', 'stop'], agent)).code).toBe(0);
    await waitFor('env-node offline', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/env-node')).body.status === 'offline');

    const queued = JSON.parse((await thresh('node', 'up', 'env-node', 'later', '--name', 'later', '--no-wait', '--json')).stdout) as CommandResponse;
    expect(queued.state).toBe('queued');
    const offline = await thresh('node', 'environments', 'env-node');
    expect(offline.stdout).toContain('env-node is offline; as it last reported:');

    expect((await runThresh(['agent', 'start'], agent)).code).toBe(0);
    const done = await waitFor(
      'the queued deployment to finish',
      async () => {
        const command = (await system.api.request<CommandResponse>('GET', `/api/commands/${queued.id}`)).body;
        return ['succeeded', 'failed'].includes(command.state) ? command : undefined;
      },
      30_000,
    );
    expect(done.state).toBe('succeeded');
    expect(await answers(ports.later)).toBe('hello from thresh');
    expect(setupRuns('later')).toBe(1);
    // The command the agent started before it stopped was adopted, not started again.
    expect(await localEnvironment('site')).toEqual(expect.objectContaining({ status: 'running', runningAs: before.runningAs, restarts: before.restarts }));
  });

  it('destroys an environment remotely', async () => {
    const destroyed = await thresh('node', 'env', 'destroy', 'env-node', 'later');
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toContain('Environment later destroyed on env-node');
    expect(await answers(ports.later)).toBeNull();
    expect(existsSync(join(home.path, 'environments', 'later'))).toBe(false);
    const again = await thresh('node', 'env', 'destroy', 'env-node', 'later');
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('no environment named "later"');
  });

  it('does the same locally for the node owner: thresh blueprints, up, list, destroy', async () => {
    const blueprints = await runThresh(['blueprints'], agent);
    expect(blueprints.stdout).toMatch(/^site\s+custom\s+/m);
    expect(blueprints.stderr).toContain('invalid.yaml: invalid blueprint: ports.0');

    const up = await runThresh(['up', 'local-site', '--name', 'local', '--driver', 'process'], agent);
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
    expect(up.stdout).toContain('✓ start');
    await waitFor('local answering', async () => (await answers(ports.local)) === 'local');
    const list = await runThresh(['list'], agent);
    expect(list.stdout).toMatch(/^local\s+local-site\s+process\s+running/m);

    const refused = await runThresh(['destroy', 'local'], agent);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Add --yes to destroy "local" and its volumes');
    expect((await runThresh(['destroy', 'local', '--yes'], agent)).stdout).toContain('Environment local destroyed');
    expect(await answers(ports.local)).toBeNull();
    expect((await runThresh(['destroy', 'local', '--yes'], agent)).code).toBe(4);
  });

  it('delivers commands to an agent that polls over HTTP instead of holding a socket, with the same rules', async () => {
    const { agentId } = JSON.parse((await runThresh(['agent', 'status', '--json'], agent)).stdout) as { agentId: string };
    expect((await runThresh(['agent', 'stop'], agent)).code).toBe(0);
    await waitFor('env-node offline', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/env-node')).body.status === 'offline');
    const queued = JSON.parse((await thresh('node', 'env', 'stop', 'env-node', 'site', '--no-wait', '--json')).stdout) as CommandResponse;
    expect(queued.state).toBe('queued');

    const key = JSON.parse(readFileSync(join(home.path, 'agent.json'), 'utf8'))['api-key'] as string;
    // This machine speaks for the node as its agent did: with the node credential the agent keeps, and its session.
    const { nodeCredential } = JSON.parse(readFileSync(join(home.path, 'identity.json'), 'utf8')) as { nodeCredential: string };
    let session = '';
    const call = (path: string, init: RequestInit = {}, credential = key) =>
      fetch(`${system.midtierUrl}${AGENT_REST_PREFIX}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json', [AGENT_SESSION_HEADER]: session },
      });
    const unregistered = await call(`/commands?agentId=${agentId}`);
    expect({ status: unregistered.status, code: ((await unregistered.json()) as { code: string }).code }).toEqual({ status: 409, code: 'not_registered' });

    const registered = await call('/register', { method: 'POST', body: JSON.stringify(agentRegistration({ agentId, nodeName: 'env-node', nodeCredential })) });
    expect(registered.status).toBe(200);
    session = ((await registered.json()) as { session: string }).session;
    await waitFor('env-node online over REST', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/env-node')).body.status === 'online');
    // What waited for the node comes with the next poll, which waits for it.
    const polled = await call(`/commands?agentId=${agentId}&wait=10`);
    expect(polled.status).toBe(200);
    const { commands } = (await polled.json()) as { commands: { id: string; kind: string; payload: object }[] };
    expect(commands).toEqual([expect.objectContaining({ id: queued.id, kind: 'environment.stop', payload: { name: 'site' } })]);
    expect((await system.api.request<CommandResponse>('GET', `/api/commands/${queued.id}`)).body.state).toBe('dispatched');

    const outcome = { agentId, update: { commandId: queued.id, state: 'failed', error: 'refused over HTTP by the test' } };
    const posted = await call('/command-updates', { method: 'POST', body: JSON.stringify(outcome) });
    expect({ status: posted.status, body: await posted.json() }).toEqual({ status: 200, body: { accepted: true } });
    const again = await call('/command-updates', { method: 'POST', body: JSON.stringify(outcome) });
    expect(await again.json()).toEqual({ accepted: false });
    expect((await system.api.request<CommandResponse>('GET', `/api/commands/${queued.id}`)).body).toEqual(
      expect.objectContaining({ state: 'failed', error: 'refused over HTTP by the test' }),
    );

    const midtierKey = await system.api.createKey('midtier');
    const wrongKind = await call(`/commands?agentId=${agentId}`, {}, midtierKey);
    expect({ status: wrongKind.status, message: ((await wrongKind.json()) as { message: string }).message }).toEqual({
      status: 403,
      message: expect.stringContaining('expected an agent key (thresh_live_…)'),
    });
    expect((await call(`/commands?agentId=${agentId}`, {}, '')).status).toBe(401);
    expect((await call('/commands?agentId=nope')).status).toBe(400);
    expect((await call('/command-updates', { method: 'POST', body: '{"agentId": 1}' })).status).toBe(400);

    expect((await call('/unregister', { method: 'POST', body: JSON.stringify({ agentId }) })).status).toBe(204);
    await waitFor('env-node offline once it unregistered', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/env-node')).body.status === 'offline');
  });
});
