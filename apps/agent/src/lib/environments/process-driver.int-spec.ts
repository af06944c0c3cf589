import { blueprintSchema, BlueprintInput } from '@thresh/protocol';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessDriver, ProcessEnvironmentRecord } from './process-driver';
import { DeployOptions, DeployProgress, RestartPolicy } from './runtime-driver';

describe('ProcessDriver', () => {
  let root: string;
  let driver: ProcessDriver;
  const steps: string[] = [];
  const progress: DeployProgress = { step: (name, status) => steps.push(`${name}:${status}`), output: () => undefined };
  const blueprint = (input: Partial<BlueprintInput>) => blueprintSchema.parse({ name: 'service', ...input });
  const sleepCommand = 'exec sleep 30';
  // Outlives the start check (700 ms), then ends on its own soon after.
  const exitingSoon = (code: number) => `sleep 1.5; exit ${code}`;
  const until = async (condition: () => Promise<boolean>, timeoutMs = 5_000) => {
    for (const started = Date.now(); !(await condition()); await new Promise((resolve) => setTimeout(resolve, 50))) {
      if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the condition');
    }
  };
  const ended = (name: string) => until(async () => (await driver.list()).find((environment) => environment.name === name)?.runningAs === null);
  const deploy = (name: string, input: Partial<BlueprintInput>, options?: DeployOptions) => driver.up(name, blueprint(input), progress, new AbortController().signal, options);
  const statusOf = async (name: string) => (await driver.list()).find((environment) => environment.name === name);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'process-driver-'));
    driver = new ProcessDriver(root);
    steps.length = 0;
  });

  afterEach(async () => {
    for (const environment of await driver.list()) await driver.destroy(environment.name);
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps a deployment that failed for inspection, and never starts its command', async () => {
    await expect(driver.up('broken', blueprint({ scripts: { setup: 'exit 7' }, command: sleepCommand }), progress, new AbortController().signal)).rejects.toThrow(
      'setup script exited with code 7',
    );
    expect(steps).toEqual(['prepare:started', 'prepare:done', 'setup:started', 'setup:failed']);
    expect(await driver.supervise()).toEqual([]);
    expect(await driver.list()).toEqual([expect.objectContaining({ name: 'broken', status: 'error', runningAs: null, error: 'setup: setup script exited with code 7' })]);
  });

  it('stops a cancelled deployment between steps and marks it failed', async () => {
    const controller = new AbortController();
    const deploying = driver.up('slow', blueprint({ scripts: { setup: 'sleep 5' }, command: sleepCommand }), progress, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort('cancelled');
    await expect(deploying).rejects.toThrow('setup script stopped: the deployment was cancelled');
    expect(await driver.supervise()).toEqual([]);
    expect((await driver.list())[0]).toEqual(expect.objectContaining({ status: 'error', runningAs: null }));
  });

  it('restarts a command that died, and leaves a stopped one alone', async () => {
    const up = await driver.up('svc', blueprint({ command: sleepCommand }), progress, new AbortController().signal);
    expect(up).toEqual(expect.objectContaining({ status: 'running', runningAs: expect.stringMatching(/^\d+$/), restarts: 0 }));
    process.kill(-Number(up.runningAs), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await driver.supervise()).toEqual(['svc']);
    const [restarted] = await driver.list();
    expect(restarted).toEqual(expect.objectContaining({ status: 'running', restarts: 1 }));
    expect(restarted.runningAs).not.toBe(up.runningAs);

    expect(await driver.stop('svc')).toEqual(expect.objectContaining({ status: 'stopped', runningAs: null }));
    expect(await driver.supervise()).toEqual([]);
  });

  it('refuses to start a command on a port something else listens on, and waits for its own port otherwise', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      await expect(driver.up('clash', blueprint({ ports: [port], command: sleepCommand }), progress, new AbortController().signal)).rejects.toThrow(`port ${port} already in use on this node`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    // A server that takes a second to listen: "running" once it does.
    const server = `sleep 1; exec node -e "require('net').createServer().listen(${port}, '127.0.0.1')"`;
    const up = await driver.up('slow-start', blueprint({ ports: [port], command: server }), progress, new AbortController().signal);
    expect(up).toEqual(expect.objectContaining({ status: 'running', ports: [port] }));
    const opened = new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve('open');
      }).once('error', reject);
    });
    await expect(opened).resolves.toBe('open');
  });

  it('marks a deployment a previous agent left half done as failed', async () => {
    const interrupted = new ProcessDriver(root);
    const deploying = interrupted.up('half', blueprint({ scripts: { setup: 'sleep 5' } }), progress, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The next agent, while the first is still mid-deployment as far as the folder says.
    expect(await driver.recoverInterrupted()).toEqual(['half']);
    expect((await driver.list())[0]).toEqual(expect.objectContaining({ name: 'half', status: 'error', error: 'the deployment was interrupted (the agent stopped during it)' }));
    // Its orphaned setup script was stopped.
    await expect(deploying).rejects.toThrow('setup script exited with signal SIGKILL');
    expect(await driver.supervise()).toEqual([]);
  });

  it('lists who manages an environment and what was deployed, null for neither', async () => {
    await deploy('managed', {}, { owner: 'stack:web', revision: 'sha256:1f2e' });
    await deploy('plain', {});

    // Folders are listed in the file system's order: sorted here.
    expect((await driver.list()).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      expect.objectContaining({ name: 'managed', owner: 'stack:web', revision: 'sha256:1f2e' }),
      expect.objectContaining({ name: 'plain', owner: null, revision: null }),
    ]);
  });

  it('reads an environment.json of an older agent, without owner, revision or restart policy', async () => {
    const up = await deploy('old', { command: exitingSoon(0) });
    const file = join(root, 'old', 'environment.json');
    const { owner: _owner, revision: _revision, restart: _restart, ...older } = JSON.parse(readFileSync(file, 'utf8')) as ProcessEnvironmentRecord;
    writeFileSync(file, JSON.stringify(older));
    expect(await statusOf('old')).toEqual(expect.objectContaining({ status: 'running', runningAs: up.runningAs, owner: null, revision: null }));
    // Without a policy, 'on-failure' holds: an exit 0 is left alone.
    await ended('old');
    expect(await driver.supervise()).toEqual([]);
    expect(await statusOf('old')).toEqual(expect.objectContaining({ status: 'stopped', error: null }));
  });

  it('destroys all but the volumes when asked to keep them, and a new deployment of that name finds them', async () => {
    await deploy('db', { volumes: ['data'], scripts: { setup: 'echo kept > "$THRESH_VOLUME_DATA/file"' }, command: sleepCommand });

    await driver.destroy('db', { keepVolumes: true });

    expect(await driver.list()).toEqual([]);
    expect(readdirSync(join(root, 'db'))).toEqual(['volumes']);
    expect(readdirSync(join(root, 'db', 'volumes'))).toEqual(['data']);
    const output: string[] = [];
    const watching: DeployProgress = { step: () => undefined, output: (chunk) => output.push(chunk) };
    const again = await driver.up('db', blueprint({ volumes: ['data'], scripts: { setup: 'cat "$THRESH_VOLUME_DATA/file"' }, command: sleepCommand }), watching, new AbortController().signal);
    expect(again).toEqual(expect.objectContaining({ name: 'db', status: 'running' }));
    expect(output.join('')).toBe('kept\n');

    await driver.destroy('db');
    expect(existsSync(join(root, 'db'))).toBe(false);
  });

  it('still refuses to deploy over an environment that exists with its volumes', async () => {
    await deploy('db', { volumes: ['data'] });
    await expect(deploy('db', { volumes: ['data'] })).rejects.toThrow('environment "db" already exists (running); destroy it first');
  });

  it.each<[RestartPolicy, number, string, string | null]>([
    ['no', 0, 'stopped', null],
    ['no', 3, 'error', 'the command exited with code 3'],
    ['on-failure', 0, 'stopped', null],
  ])('under restart "%s", leaves a command that exited %i alone: %s', async (restart, code, status, error) => {
    await deploy('job', { command: exitingSoon(code) }, { restart });
    await ended('job');

    expect(await driver.supervise()).toEqual([]);
    expect(await statusOf('job')).toEqual(expect.objectContaining({ status, error, runningAs: null, restarts: 0 }));
    // Settled: later passes do not start it again.
    expect(await driver.supervise(Date.now() + 120_000)).toEqual([]);
  });

  it.each<[RestartPolicy, number]>([
    ['on-failure', 3],
    ['always', 0],
    ['always', 3],
  ])('under restart "%s", restarts a command that exited %i', async (restart, code) => {
    const up = await deploy('job', { command: exitingSoon(code) }, { restart });
    await ended('job');

    expect(await driver.supervise()).toEqual(['job']);
    const restarted = await statusOf('job');
    expect(restarted).toEqual(expect.objectContaining({ status: 'running', restarts: 1, error: null }));
    expect(restarted?.runningAs).not.toBe(up.runningAs);
  });

  it('restarts a command a previous agent started, its exit code unknown, unless its policy is "no"', async () => {
    await deploy('adopted', { command: exitingSoon(0) });
    await deploy('adopted-no', { command: exitingSoon(0) }, { restart: 'no' });
    const next = new ProcessDriver(root);
    await until(async () => (await next.list()).every((environment) => environment.runningAs === null));

    expect(await next.supervise()).toEqual(['adopted']);
    expect(await statusOf('adopted-no')).toEqual(
      expect.objectContaining({ status: 'error', error: 'the command exited (started by a previous agent, so its exit code is unknown)' }),
    );
  });
});
