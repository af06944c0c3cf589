import { blueprintSchema, BlueprintInput } from '@thresh/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessDriver } from './process-driver';
import { DeployProgress } from './runtime-driver';

describe('ProcessDriver', () => {
  let root: string;
  let driver: ProcessDriver;
  const steps: string[] = [];
  const progress: DeployProgress = { step: (name, status) => steps.push(`${name}:${status}`), output: () => undefined };
  const blueprint = (input: Partial<BlueprintInput>) => blueprintSchema.parse({ name: 'service', ...input });
  const sleepCommand = 'exec sleep 30';

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
});
