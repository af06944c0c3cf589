import type { Blueprint, EnvironmentInfo, RuntimeDriver as DriverName } from '@thresh/protocol';
import type { BlueprintCatalog } from '../blueprints/blueprint-catalog';
import { EnvironmentManager } from './environment-manager';
import { DeployProgress, RuntimeDriver } from './runtime-driver';

/** A driver that keeps its environments in memory. */
class MemoryDriver implements RuntimeDriver {
  readonly environments = new Map<string, EnvironmentInfo>();

  constructor(
    readonly name: DriverName,
    private readonly usable = true,
  ) {}

  async available(): Promise<boolean> {
    return this.usable;
  }

  async up(name: string, blueprint: Blueprint): Promise<EnvironmentInfo> {
    const info = { name, blueprint: blueprint.name, driver: this.name, status: 'running' } as EnvironmentInfo;
    this.environments.set(name, info);
    return info;
  }

  async start(name: string): Promise<EnvironmentInfo> {
    return this.set(name, 'running');
  }

  async stop(name: string): Promise<EnvironmentInfo> {
    return this.set(name, 'stopped');
  }

  async destroy(name: string): Promise<void> {
    this.environments.delete(name);
  }

  async list(): Promise<EnvironmentInfo[]> {
    return [...this.environments.values()];
  }

  private set(name: string, status: EnvironmentInfo['status']): EnvironmentInfo {
    const info = { ...(this.environments.get(name) as EnvironmentInfo), status };
    this.environments.set(name, info);
    return info;
  }
}

const blueprint = { name: 'web' } as Blueprint;
const catalog = { get: () => blueprint } as unknown as BlueprintCatalog;
const progress: DeployProgress = { step: () => undefined, output: () => undefined };
const up = (manager: EnvironmentManager, name: string, driver?: DriverName) => manager.up('web', name, progress, new AbortController().signal, driver);

describe('EnvironmentManager', () => {
  it('deploys with docker where it is available, else with what is', async () => {
    const [docker, processes] = [new MemoryDriver('docker'), new MemoryDriver('process')];
    expect((await up(new EnvironmentManager([processes, docker], catalog), 'a')).driver).toBe('docker');
    const withoutDocker = new EnvironmentManager([new MemoryDriver('docker', false), processes], catalog);
    expect(await withoutDocker.availableDrivers()).toEqual(['process']);
    expect((await up(withoutDocker, 'b')).driver).toBe('process');
    await expect(up(withoutDocker, 'c', 'docker')).rejects.toThrow('the docker driver is not available on this node (available: process)');
  });

  it('refuses a second environment of one name, and a name that is none', async () => {
    const manager = new EnvironmentManager([new MemoryDriver('process')], catalog);
    await up(manager, 'web-1');
    await expect(up(manager, 'web-1')).rejects.toMatchObject({ code: 'conflict' });
    await expect(up(manager, 'Not A Name!')).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('starts, stops and destroys an environment on the driver that holds it', async () => {
    const [docker, processes] = [new MemoryDriver('docker'), new MemoryDriver('process')];
    const manager = new EnvironmentManager([docker, processes], catalog);
    await up(manager, 'p', 'process');
    expect((await manager.stop('p')).status).toBe('stopped');
    expect(await manager.statuses()).toEqual([{ name: 'p', status: 'stopped' }]);
    await manager.destroy('p');
    expect(processes.environments.size).toBe(0);
    await expect(manager.start('p')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists no statuses rather than failing a sample when a driver cannot list', async () => {
    const broken = new MemoryDriver('docker');
    broken.list = () => Promise.reject(new Error('engine gone'));
    expect(await new EnvironmentManager([broken], catalog).statuses()).toEqual([]);
  });
});
