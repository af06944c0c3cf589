import { Blueprint, EnvironmentInfo, EnvironmentStatus, resourceNameSchema, RuntimeDriver as DriverName } from '@thresh/protocol';
import { BlueprintCatalog } from '../blueprints/blueprint-catalog';
import { KeyedLock } from '../keyed-lock';
import { DeployOptions, DeployProgress, EnvironmentError, RuntimeDriver } from './runtime-driver';

/** This node's environments across its runtime drivers: docker where an engine answers, process always. */
export class EnvironmentManager {
  /** One change at a time per environment: a stop or destroy waits for the deployment under way. */
  private readonly locks = new KeyedLock();

  constructor(
    private readonly drivers: RuntimeDriver[],
    readonly catalog: BlueprintCatalog,
  ) {}

  async availableDrivers(): Promise<DriverName[]> {
    return (await this.usable()).map((driver) => driver.name);
  }

  async up(blueprintName: string, name: string, progress: DeployProgress, signal: AbortSignal, driverName?: DriverName): Promise<EnvironmentInfo> {
    return this.deployBlueprint(this.catalog.get(blueprintName), name, progress, signal, driverName);
  }

  /** Deploys a blueprint given inline (a stack's service, say) rather than one of the catalog. */
  async deployBlueprint(blueprint: Blueprint, name: string, progress: DeployProgress, signal: AbortSignal, driverName?: DriverName, options?: DeployOptions): Promise<EnvironmentInfo> {
    const valid = resourceNameSchema.safeParse(name);
    if (!valid.success) throw new EnvironmentError(`"${name}" is not an environment name: ${valid.error.issues[0]?.message}`, 'validation_failed');
    return this.locks.run(name, () => this.deploy(blueprint, name, progress, signal, driverName, options));
  }

  /** Deploys anew over an environment of that name, if there is one: its volumes are kept for the new one. */
  async replace(blueprint: Blueprint, name: string, progress: DeployProgress, signal: AbortSignal, driverName?: DriverName, options?: DeployOptions): Promise<EnvironmentInfo> {
    return this.locks.run(name, async () => {
      const holder = await this.find(name);
      if (holder) {
        progress.output(`replacing environment "${name}" (its volumes are kept)\n`);
        await holder.destroy(name, { keepVolumes: true });
      }
      return this.deploy(blueprint, name, progress, signal, driverName, options);
    });
  }

  private async deploy(blueprint: Blueprint, name: string, progress: DeployProgress, signal: AbortSignal, driverName?: DriverName, options?: DeployOptions): Promise<EnvironmentInfo> {
    const usable = await this.usable();
    const driver = driverName ? usable.find((candidate) => candidate.name === driverName) : (usable.find((candidate) => candidate.name === 'docker') ?? usable[0]);
    if (!driver) throw new EnvironmentError(`the ${driverName} driver is not available on this node (available: ${usable.map((candidate) => candidate.name).join(', ')})`, 'validation_failed');
    if (await this.find(name)) throw new EnvironmentError(`environment "${name}" already exists; destroy it first`, 'conflict');
    progress.output(`deploying blueprint ${blueprint.name} as "${name}" with the ${driver.name} driver\n`);
    return driver.up(name, blueprint, progress, signal, options);
  }

  async list(): Promise<EnvironmentInfo[]> {
    const lists = await Promise.all((await this.usable()).map((driver) => driver.list()));
    return lists.flat().sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Name and status of each environment, for the metric samples: a sample goes out even when listing fails. */
  async statuses(): Promise<EnvironmentStatus[]> {
    try {
      return (await this.list())
        .filter((environment) => resourceNameSchema.safeParse(environment.name).success)
        .slice(0, 200)
        .map(({ name, status }) => ({ name, status }));
    } catch {
      return [];
    }
  }

  async start(name: string): Promise<EnvironmentInfo> {
    return this.locks.run(name, async () => (await this.holder(name)).start(name));
  }

  async stop(name: string): Promise<EnvironmentInfo> {
    return this.locks.run(name, async () => (await this.holder(name)).stop(name));
  }

  async destroy(name: string, options?: { keepVolumes?: boolean }): Promise<void> {
    await this.locks.run(name, async () => (await this.holder(name)).destroy(name, options));
  }

  private async find(name: string): Promise<RuntimeDriver | undefined> {
    for (const driver of await this.usable()) {
      if ((await driver.list()).some((environment) => environment.name === name)) return driver;
    }
    return undefined;
  }

  private async holder(name: string): Promise<RuntimeDriver> {
    const driver = await this.find(name);
    if (!driver) throw new EnvironmentError(`no environment named "${name}"`, 'not_found');
    return driver;
  }

  private async usable(): Promise<RuntimeDriver[]> {
    const checks = await Promise.all(this.drivers.map(async (driver) => ((await driver.available()) ? driver : null)));
    return checks.filter((driver): driver is RuntimeDriver => driver !== null);
  }
}
