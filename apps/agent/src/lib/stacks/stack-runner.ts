import { createHash } from 'node:crypto';
import { Blueprint, blueprintSchema, CommandPayload, deploymentLayers, EnvironmentInfo, RuntimeDriver as DriverName, StackServicePayload, StackServiceState } from '@thresh/protocol';
import { EnvironmentManager } from '../environments/environment-manager';
import { DeployProgress, EnvironmentError } from '../environments/runtime-driver';
import { KeyedLock } from '../keyed-lock';
import { waitHealthy } from './health-check';

/** A stack command that failed, with every service's state as it ended: the hub records them either way. */
export class StackError extends EnvironmentError {
  constructor(
    message: string,
    readonly services: StackServiceState[],
  ) {
    super(message, 'failed');
  }
}

const now = () => new Date().toISOString();
const stepOf = (service: string) => `service:${service}`;

/** The services in dependency layers; a dependency outside the list, or a cycle, is the sender's mistake. */
function layersOf(services: StackServicePayload[]): string[][] {
  const names = new Set(services.map((service) => service.name));
  for (const service of services) {
    const unknown = service.dependsOn.find((dependency) => !names.has(dependency));
    if (unknown) throw new EnvironmentError(`service "${service.name}" depends on "${unknown}", which is not part of the stack`, 'validation_failed');
  }
  try {
    return deploymentLayers(services);
  } catch (error) {
    throw new EnvironmentError((error as Error).message, 'validation_failed');
  }
}

function blueprintOf(stack: string, service: StackServicePayload): Blueprint {
  return blueprintSchema.parse({
    name: service.name,
    description: `service ${service.name} of stack ${stack}`,
    base: service.image,
    command: service.command,
    environment: service.env,
    ports: service.ports,
    volumes: service.volumes,
  });
}

/** A service's deployment as lines of the stack's output, each prefixed with the service's name. */
class ServiceOutput implements DeployProgress {
  private partialLine = '';

  constructor(
    private readonly service: string,
    private readonly progress: DeployProgress,
  ) {}

  step(name: string, status: 'started' | 'done' | 'failed', message?: string): void {
    this.line(`${name} ${status}${message ? `: ${message}` : ''}`);
  }

  output(chunk: string): void {
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  line(text: string): void {
    this.progress.output(`${text.split('\n').map((line) => `[${this.service}] ${line}`).join('\n')}\n`);
  }

  flush(): void {
    if (this.partialLine) this.line(this.partialLine);
    this.partialLine = '';
  }
}

/** Who an environment belongs to when a stack manages it. */
export const stackOwner = (stack: string) => `stack:${stack}`;

/** A digest of a service as deployed (its resolved environment included): equal digests mean nothing to redeploy. */
export function revisionOf(service: StackServicePayload): string {
  const sorted = JSON.stringify(service, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value,
  );
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}

/** One `stack.deploy`: what it started, what failed, and each service's state as it goes. */
class StackDeployment {
  private readonly states = new Map<string, StackServiceState>();
  /** In the order this deployment started them: what a rollback stops, last first. */
  private readonly started: StackServicePayload[] = [];
  private readonly failed: string[] = [];
  /** For a service that waits on a failed one (continue), the failed service at the root of it. */
  private readonly blockedBy = new Map<string, string>();
  /** Former services that could not be removed: the deployment fails for them, though every service is healthy. */
  private readonly leftOver: string[] = [];
  private readonly owner: string;
  private existing = new Map<string, EnvironmentInfo>();
  private dockerAvailable: Promise<boolean> | undefined;

  constructor(
    private readonly manager: EnvironmentManager,
    private readonly payload: CommandPayload<'stack.deploy'>,
    private readonly progress: DeployProgress,
    private readonly signal: AbortSignal,
  ) {
    this.owner = stackOwner(payload.stack);
    for (const service of payload.services) {
      this.states.set(service.name, { name: service.name, environment: service.environment, status: 'pending', startedAt: null, healthyAt: null, error: null });
    }
  }

  async run(): Promise<{ services: StackServiceState[] }> {
    const layers = layersOf(this.payload.services);
    this.existing = new Map((await this.manager.list()).map((environment) => [environment.name, environment]));
    await this.removeDropped();
    for (const layer of layers) {
      if (this.signal.aborted || (this.failed.length > 0 && this.payload.onFailure !== 'continue')) break;
      await Promise.all(layer.map((name) => this.deployWhenReady(this.service(name))));
    }
    const notStarted = this.markNotStarted();
    if (this.failed.length === 0 && notStarted === 0 && this.leftOver.length === 0) return { services: this.snapshot() };
    if (this.failed.length === 0 && notStarted === 0) throw new StackError(this.leftOver.join('; '), this.snapshot());

    const reasons = this.failed.map((name) => `service "${name}" failed: ${this.state(name).error}`);
    if (reasons.length === 0) reasons.push(`the deployment of stack "${this.payload.stack}" was cancelled`);
    if (this.payload.onFailure === 'rollback') reasons.push(`rolled back ${await this.rollBack()} service(s)`);
    else if (notStarted > 0) reasons.push(`${notStarted} service(s) not started`);
    throw new StackError(reasons.join('; '), this.snapshot());
  }

  /** Services this stack ran before and no longer names: removed first, since they may hold the ports of new ones. */
  private async removeDropped(): Promise<void> {
    const wanted = new Set(this.payload.services.map((service) => service.environment));
    for (const environment of this.existing.values()) {
      if (environment.owner !== this.owner || wanted.has(environment.name)) continue;
      this.progress.step(`remove:${environment.name}`, 'started');
      try {
        await unlessMissing(() => this.manager.destroy(environment.name, { keepVolumes: true }));
        this.progress.step(`remove:${environment.name}`, 'done', 'no longer part of the stack; its volumes are kept');
      } catch (error) {
        this.progress.step(`remove:${environment.name}`, 'failed', (error as Error).message);
        this.leftOver.push(`environment "${environment.name}", no longer part of the stack, could not be removed: ${(error as Error).message}`);
      }
    }
  }

  private async deployWhenReady(service: StackServicePayload): Promise<void> {
    const blocker = service.dependsOn.map((dependency) => this.failedRootOf(dependency)).find((root) => root !== undefined);
    if (blocker) {
      this.blockedBy.set(service.name, blocker);
      this.update(service.name, { error: `not started: depends on failed service "${blocker}"` });
      return;
    }
    await this.deploy(service);
  }

  private failedRootOf(name: string): string | undefined {
    return this.state(name).status === 'error' ? name : this.blockedBy.get(name);
  }

  private async deploy(service: StackServicePayload): Promise<void> {
    const revision = revisionOf(service);
    const environment = this.existing.get(service.environment);
    const ours = environment?.owner === this.owner;
    const unchanged = ours && environment?.revision === revision;
    // What runs as given is only checked: this deployment did not start it.
    this.update(service.name, { status: 'deploying', startedAt: unchanged && environment?.status === 'running' ? null : now(), error: null });
    this.progress.step(stepOf(service.name), 'started');
    const output = new ServiceOutput(service.name, this.progress);
    try {
      if (environment && !ours) {
        throw new EnvironmentError(`environment "${service.environment}" already exists and is not part of stack "${this.payload.stack}"; rename the service or remove that environment`, 'conflict');
      }
      let outcome: string;
      if (unchanged && environment?.status === 'running') {
        outcome = 'unchanged';
      } else if (unchanged && environment) {
        this.started.push(service);
        output.line(`unchanged but ${environment.status}: starting it`);
        await this.manager.start(service.environment);
        outcome = 'started';
      } else {
        const driver = await this.driverFor(service);
        this.started.push(service);
        const options = { owner: this.owner, revision, restart: service.restart, imageCommand: true, hostNetwork: true };
        await this.manager.replace(blueprintOf(this.payload.stack, service), service.environment, output, this.signal, driver, options);
        outcome = environment ? 'updated' : 'deployed';
      }
      if (service.healthcheck) {
        output.line('waiting for its health check');
        await waitHealthy(service.healthcheck, this.signal);
      }
      this.update(service.name, { status: 'healthy', healthyAt: now() });
      this.progress.step(stepOf(service.name), 'done', `${outcome}, healthy`);
    } catch (error) {
      const message = (error as Error).message;
      this.update(service.name, { status: 'error', error: message });
      this.failed.push(service.name);
      this.progress.step(stepOf(service.name), 'failed', message);
    } finally {
      output.flush();
    }
  }

  private async driverFor(service: StackServicePayload): Promise<DriverName> {
    if (!service.image) return 'process';
    this.dockerAvailable ??= this.manager.availableDrivers().then((drivers) => drivers.includes('docker'));
    if (!(await this.dockerAvailable)) throw new EnvironmentError(`service "${service.name}" needs the docker driver (it has an image), which this node does not have`);
    return 'docker';
  }

  /**
   * Services never reached get the reason; one already running as given (nothing to deploy) stays healthy, as it
   * was. Returns how many were not started.
   */
  private markNotStarted(): number {
    const pending = [...this.states.values()].filter((state) => state.status === 'pending');
    const reason = this.failed[0] ? `not started: service "${this.failed[0]}" failed` : 'not started: the deployment was cancelled';
    let notStarted = 0;
    for (const state of pending) {
      const environment = this.existing.get(state.environment);
      if (environment?.owner === this.owner && environment.status === 'running' && environment.revision === revisionOf(this.service(state.name))) {
        state.status = 'healthy';
        continue;
      }
      state.error ??= reason;
      notStarted += 1;
    }
    return notStarted;
  }

  /** Stops what this deployment started, last first; what it left alone keeps running. Returns how many. */
  private async rollBack(): Promise<number> {
    const services = [...this.started].reverse();
    this.progress.step('rollback', 'started', services.map((service) => service.name).join(', '));
    for (const service of services) {
      try {
        await unlessMissing(() => this.manager.stop(service.environment));
        // The service that failed stays in error: that is what the people reading the stack look for.
        this.update(service.name, { status: this.failed.includes(service.name) ? 'error' : 'stopped' });
        this.progress.output(`[${service.name}] rolled back: environment "${service.environment}" stopped\n`);
      } catch (error) {
        const failure = `rollback failed: ${(error as Error).message}`;
        this.update(service.name, { status: 'error', error: [this.state(service.name).error, failure].filter(Boolean).join('; ') });
      }
    }
    this.progress.step('rollback', 'done');
    return services.length;
  }

  private service(name: string): StackServicePayload {
    return this.payload.services.find((service) => service.name === name) as StackServicePayload;
  }

  private state(name: string): StackServiceState {
    return this.states.get(name) as StackServiceState;
  }

  private update(name: string, change: Partial<StackServiceState>): void {
    Object.assign(this.state(name), change);
  }

  private snapshot(): StackServiceState[] {
    return this.payload.services.map((service) => ({ ...this.state(service.name) }));
  }
}

/** Makes a change to an environment; one that does not exist needs none. */
async function unlessMissing(change: () => Promise<unknown>): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof EnvironmentError && error.code === 'not_found')) throw error;
  }
}

/** Deploys and stops stacks: each service an environment of this node, started in dependency order. */
export class StackRunner {
  /** One deploy or stop at a time per stack: a second one waits for the first to end. */
  private readonly locks = new KeyedLock();

  constructor(private readonly manager: EnvironmentManager) {}

  /**
   * Starts each service once its dependencies are healthy; a service running as given is left alone, and one this
   * stack ran before and no longer names is removed. Rejects with a StackError, carrying every service's state, once
   * a service failed.
   */
  deploy(payload: CommandPayload<'stack.deploy'>, progress: DeployProgress, signal: AbortSignal): Promise<{ services: StackServiceState[] }> {
    return this.locks.run(payload.stack, () => new StackDeployment(this.manager, payload, progress, signal).run());
  }

  /**
   * Stops (or destroys) the stack's environments, dependents first, and any it ran before under a service it no
   * longer names. One that does not exist, or that another owner holds, is left alone and counts as stopped.
   */
  stop(payload: CommandPayload<'stack.stop'>, progress: DeployProgress, signal: AbortSignal): Promise<{ services: StackServiceState[] }> {
    return this.locks.run(payload.stack, () => this.stopStack(payload, progress, signal));
  }

  private async stopStack(payload: CommandPayload<'stack.stop'>, progress: DeployProgress, signal: AbortSignal): Promise<{ services: StackServiceState[] }> {
    const owner = stackOwner(payload.stack);
    const existing = new Map((await this.manager.list()).map((environment) => [environment.name, environment]));
    // A stop may name only some of the stack's services: the order among those is what matters.
    const services = payload.services.map((service) => ({ ...service, dependsOn: service.dependsOn.filter((dependency) => payload.services.some((other) => other.name === dependency)) }));
    const states = new Map<string, StackServiceState>();
    for (const layer of layersOf(services).reverse()) {
      if (signal.aborted) throw new EnvironmentError(`stopping stack "${payload.stack}" was cancelled after ${states.size} service(s)`);
      const stopped = await Promise.all(
        layer.map((name) => {
          const service = services.find((candidate) => candidate.name === name) as StackServicePayload;
          const environment = existing.get(service.environment);
          return this.stopService(service, environment && environment.owner !== owner ? 'foreign' : payload.destroy ? 'destroy' : 'stop', progress);
        }),
      );
      for (const state of stopped) states.set(state.name, state);
    }
    const named = new Set(payload.services.map((service) => service.environment));
    const leftOver: string[] = [];
    for (const environment of existing.values()) {
      if (environment.owner !== owner || named.has(environment.name)) continue;
      await unlessMissing(() => (payload.destroy ? this.manager.destroy(environment.name) : this.manager.stop(environment.name))).catch((error: Error) =>
        leftOver.push(`environment "${environment.name}" (a former service of the stack) could not be ${payload.destroy ? 'destroyed' : 'stopped'}: ${error.message}`),
      );
    }
    const result = payload.services.map((service) => states.get(service.name) as StackServiceState);
    const failures = result.filter((state) => state.status === 'error').map((state) => `service "${state.name}" could not be stopped: ${state.error}`);
    if (failures.length + leftOver.length > 0) throw new StackError([...failures, ...leftOver].join('; '), result);
    return { services: result };
  }

  private async stopService({ name, environment }: StackServicePayload, action: 'stop' | 'destroy' | 'foreign', progress: DeployProgress): Promise<StackServiceState> {
    const state: StackServiceState = { name, environment, status: 'stopped', startedAt: null, healthyAt: null, error: null };
    progress.step(stepOf(name), 'started');
    if (action === 'foreign') {
      progress.step(stepOf(name), 'done', `left alone: environment "${environment}" is not part of this stack`);
      return state;
    }
    try {
      await unlessMissing(() => (action === 'destroy' ? this.manager.destroy(environment) : this.manager.stop(environment)));
      progress.step(stepOf(name), 'done', action === 'destroy' ? 'destroyed' : 'stopped');
      return state;
    } catch (error) {
      progress.step(stepOf(name), 'failed', (error as Error).message);
      return { ...state, status: 'error', error: (error as Error).message };
    }
  }
}
