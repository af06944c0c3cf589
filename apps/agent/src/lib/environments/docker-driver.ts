import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import type { Blueprint, EnvironmentInfo, EnvironmentState } from '@thresh/protocol';
import { type DeployOptions, type DeployProgress, EnvironmentError, type RuntimeDriver } from './runtime-driver';

const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_SECONDS = 10;
/** How long to wait for the engine to record an exec's exit code once its output has ended. */
const EXIT_CODE_POLLS = 50;
const EXIT_CODE_POLL_INTERVAL_MS = 100;

const LABELS = {
  environment: 'thresh.environment',
  blueprint: 'thresh.blueprint',
  createdAt: 'thresh.created-at',
  ports: 'thresh.ports',
  owner: 'thresh.owner',
  revision: 'thresh.revision',
} as const;

/** Keeps a container without a command alive, so scripts can be run in it and a user can `docker exec` into it. */
const IDLE_COMMAND = ['sleep', 'infinity'];
/** Written when a deployment has finished; the command waits for it, so it never runs before its packages and scripts. */
const READY_MARKER = '/.thresh-ready';
const WAIT_FOR_READY = ['sh', '-c', `until [ -e ${READY_MARKER} ]; do sleep 1; done; exec "$@"`, 'thresh-wait-for-setup'];
/** 143 and 137 are SIGTERM and SIGKILL: what `stop` sends, so a command ended that way was stopped, not crashed. */
const STOPPED_EXIT_CODES = new Set([0, 137, 143]);

function containerNameOf(environment: string): string {
  return `thresh-${environment}`;
}

function volumeNameOf(environment: string, volume: string): string {
  return `thresh-${environment}-${volume}`;
}

/** One deployment in progress: what every step needs. */
interface Deployment {
  name: string;
  blueprint: Blueprint;
  progress: DeployProgress;
  signal: AbortSignal;
  options: DeployOptions;
}

/** One line of the JSON stream of an image pull. */
interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** What dockerode rejects with: an Error carrying the HTTP status and the engine's JSON answer, or a socket error. */
interface DockerodeError extends Error {
  statusCode?: number;
  json?: unknown;
  code?: string;
}

/** Runs environments as containers of the local Docker engine, talking to it over its unix socket. */
export class DockerDriver implements RuntimeDriver {
  readonly name = 'docker';
  private readonly socketPath: string;
  private readonly docker: Docker;
  /** Gives up quickly, so a hung engine makes `available()` false instead of hanging it. */
  private readonly probe: Docker;
  /** Deployments that failed after their container was created: the container stays for inspection, shown as error. */
  private readonly failedDeployments = new Map<string, string>();
  /** The image's own (anonymous) volumes of a container replaced with keepVolumes: its successor mounts them again. */
  private readonly inheritedVolumes = new Map<string, string[]>();

  constructor(options: { socketPath?: string } = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_SOCKET_PATH;
    // host and protocol are set so that a DOCKER_HOST in the environment cannot send the driver elsewhere.
    const connection = { socketPath: this.socketPath, host: undefined, protocol: 'http' } as const;
    this.docker = new Docker(connection);
    this.probe = new Docker({ ...connection, timeout: PING_TIMEOUT_MS });
  }

  async available(): Promise<boolean> {
    try {
      if (!(await stat(this.socketPath)).isSocket()) return false;
      await this.probe.ping();
      return true;
    } catch {
      return false;
    }
  }

  async up(name: string, blueprint: Blueprint, progress: DeployProgress, signal: AbortSignal, options: DeployOptions = {}): Promise<EnvironmentInfo> {
    const deployment: Deployment = { name, blueprint, progress, signal, options };
    await this.ensureNameIsFree(name);
    this.failedDeployments.delete(name);

    await this.step(deployment, 'image', () => this.ensureImage(deployment));
    if (blueprint.volumes.length > 0) await this.step(deployment, 'volumes', () => this.createVolumes(deployment));
    let containerExists = false;
    try {
      await this.step(deployment, 'container', async () => {
        const container = await this.createContainer(deployment);
        containerExists = true;
        await container.start();
        return undefined;
      });
      if (blueprint.packages.length > 0) {
        await this.step(deployment, 'packages', () =>
          this.runToSuccess(deployment, ['sh', '-c', installCommand(blueprint.packages)], 'package installation', 'root'),
        );
      }
      const { setup, postInstall } = blueprint.scripts;
      if (setup) await this.step(deployment, 'setup', () => this.runToSuccess(deployment, ['sh', '-c', setup], 'setup script'));
      if (postInstall) {
        await this.step(deployment, 'postInstall', () => this.runToSuccess(deployment, ['sh', '-c', postInstall], 'postInstall script'));
      }
      if (blueprint.command) {
        await this.step(deployment, 'command', () =>
          this.runToSuccess(deployment, ['touch', READY_MARKER], `touch ${READY_MARKER}`, 'root'),
        );
      }
    } catch (error) {
      if (containerExists) this.failedDeployments.set(name, (error as Error).message);
      throw error;
    }
    return this.describe(await this.inspectOwned(name));
  }

  start(name: string): Promise<EnvironmentInfo> {
    return this.changeState(name, (container) => container.start());
  }

  stop(name: string): Promise<EnvironmentInfo> {
    return this.changeState(name, (container) => container.stop({ t: STOP_TIMEOUT_SECONDS }));
  }

  /** 304 from the engine: the container is already as asked. */
  private async changeState(name: string, change: (container: Docker.Container) => Promise<unknown>): Promise<EnvironmentInfo> {
    const { Id } = await this.inspectOwned(name);
    try {
      await change(this.docker.getContainer(Id));
    } catch (error) {
      if (statusCodeOf(error) !== 304) throw this.translate(error, { 404: environmentNotFound(name) });
    }
    return this.describe(await this.inspectOwned(name));
  }

  async destroy(name: string, options: { keepVolumes?: boolean } = {}): Promise<void> {
    const container = await this.inspectOwned(name).catch((error: unknown) => {
      if (error instanceof EnvironmentError && error.code === 'not_found') return undefined;
      throw error;
    });
    // Kept volumes left by an earlier destroy are no environment: without a container there is nothing to destroy.
    if (!container && options.keepVolumes) throw environmentNotFound(name);
    if (container && options.keepVolumes) {
      // As compose does: a database image keeps its data in volumes it declares itself, which the next container reuses.
      const anonymous = (container.Mounts ?? []).filter((mount) => mount.Type === 'volume' && mount.Name && !mount.Name.startsWith(`${containerNameOf(name)}-`));
      this.inheritedVolumes.set(name, anonymous.map((mount) => `${mount.Name}:${mount.Destination}`));
    }
    if (container) {
      // v removes anonymous volumes only: the named thresh-<env>-<volume> ones are left to the lines below.
      await this.ignoreNotFound(this.docker.getContainer(container.Id).remove({ force: true, v: !options.keepVolumes }));
    }
    this.failedDeployments.delete(name);
    if (options.keepVolumes) return;
    this.inheritedVolumes.delete(name);
    // Volumes outlive a failed container step, so they are looked for even without a container.
    const volumes = await this.volumesOf(name);
    if (!container && volumes.length === 0) throw environmentNotFound(name);
    for (const volume of volumes) await this.ignoreNotFound(this.docker.getVolume(volume).remove());
  }

  async list(): Promise<EnvironmentInfo[]> {
    let summaries: Docker.ContainerInfo[];
    try {
      summaries = await this.docker.listContainers({ all: true, filters: { label: [LABELS.environment] } });
    } catch (error) {
      throw this.translate(error);
    }
    const inspected = await Promise.all(
      summaries.map((summary) =>
        this.docker
          .getContainer(summary.Id)
          .inspect()
          .catch((error: unknown) => {
            // Removed between the list and the inspect: it is gone, not an error.
            if (statusCodeOf(error) === 404) return undefined;
            throw this.translate(error);
          }),
      ),
    );
    return inspected
      .filter((info): info is Docker.ContainerInspectInfo => info !== undefined)
      .map((info) => this.describe(info))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async step(deployment: Deployment, step: string, work: () => Promise<string | undefined>): Promise<void> {
    if (deployment.signal.aborted) throw deploymentCancelled(deployment.name);
    deployment.progress.step(step, 'started');
    try {
      deployment.progress.step(step, 'done', await work());
    } catch (error) {
      const failure = deployment.signal.aborted ? deploymentCancelled(deployment.name) : this.translate(error);
      deployment.progress.step(step, 'failed', failure.message);
      throw failure;
    }
  }

  /** Checked before pulling anything; the create request still answers 409 if another deployment wins the race. */
  private async ensureNameIsFree(name: string): Promise<void> {
    let existing: Docker.ContainerInspectInfo;
    try {
      existing = await this.docker.getContainer(containerNameOf(name)).inspect();
    } catch (error) {
      if (statusCodeOf(error) === 404) return;
      throw this.translate(error);
    }
    throw existing.Config.Labels?.[LABELS.environment] === name
      ? environmentExists(name)
      : new EnvironmentError(`a container named "${containerNameOf(name)}" already exists and is not a thresh environment`, 'conflict');
  }

  private async ensureImage({ blueprint, progress, signal }: Deployment): Promise<string> {
    const image = blueprint.base;
    try {
      await this.docker.getImage(image).inspect();
      return `${image} is already present`;
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw this.translate(error);
    }
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(image, { abortSignal: signal });
    } catch (error) {
      throw this.translate(error, { 404: imageNotFound(image) });
    }
    const events = await new Promise<PullEvent[]>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error, output: PullEvent[]) => (error ? reject(error) : resolve(output)),
        (event: PullEvent) => {
          // Byte counts of each layer would flood the output; the layer and image milestones are enough.
          if (event.status && !event.progress) progress.output(`${event.id ? `${event.id}: ` : ''}${event.status}\n`);
        },
      );
    });
    // The engine answers 200 as soon as the pull starts, so a failure later on arrives as a line of the stream.
    const failure = events.find((event) => event.error || event.errorDetail);
    if (failure) {
      const message = failure.errorDetail?.message ?? failure.error ?? 'unknown error';
      throw /not found|manifest unknown|does not exist|pull access denied/i.test(message)
        ? imageNotFound(image)
        : new EnvironmentError(`could not pull image "${image}": ${message}`, 'failed');
    }
    return `pulled ${image}`;
  }

  private async createVolumes({ name, blueprint }: Deployment): Promise<undefined> {
    for (const volume of blueprint.volumes) {
      // Creating a volume that already exists returns it: a redeploy after a failed deployment reuses its volumes.
      await this.docker.createVolume({ Name: volumeNameOf(name, volume), Labels: { [LABELS.environment]: name } });
    }
    return undefined;
  }

  private async createContainer(deployment: Deployment): Promise<Docker.Container> {
    const { name, blueprint, options } = deployment;
    const portKeys = blueprint.ports.map((port) => `${port}/tcp`);
    // On the host's network the ports are the host's own: nothing to expose or bind.
    const network = options.hostNetwork
      ? { NetworkMode: 'host' }
      : { PortBindings: Object.fromEntries(blueprint.ports.map((port) => [`${port}/tcp`, [{ HostPort: String(port) }]])) };
    try {
      return await this.docker.createContainer({
        name: containerNameOf(name),
        Image: blueprint.base,
        Labels: {
          [LABELS.environment]: name,
          [LABELS.blueprint]: blueprint.name,
          [LABELS.createdAt]: new Date().toISOString(),
          // Kept with host networking too: the label is what tells the environment's ports.
          [LABELS.ports]: blueprint.ports.join(','),
          ...(options.owner === undefined ? {} : { [LABELS.owner]: options.owner }),
          ...(options.revision === undefined ? {} : { [LABELS.revision]: options.revision }),
        },
        Env: environmentList(blueprint.environment),
        ...(options.hostNetwork ? {} : { ExposedPorts: Object.fromEntries(portKeys.map((key) => [key, {}])) }),
        ...commandOf(deployment),
        HostConfig: {
          // An init process forwards `stop`'s SIGTERM; a shell or sleep as pid 1 ignores it and waits out the timeout.
          Init: true,
          Binds: [...blueprint.volumes.map((volume) => `${volumeNameOf(name, volume)}:/${volume}`), ...(this.inheritedVolumes.get(name) ?? [])],
          ...network,
          ...(runsCommand(deployment) ? { RestartPolicy: { Name: options.restart ?? 'on-failure' } } : {}),
        },
      });
    } catch (error) {
      throw this.translate(error, { 404: imageNotFound(blueprint.base), 409: environmentExists(name) });
    }
  }

  /** Runs a command in the environment's container, its output going to the progress display; fails on a non-zero exit. */
  private async runToSuccess(deployment: Deployment, command: string[], what: string, user?: string): Promise<undefined> {
    const exitCode = await this.runInContainer(deployment, command, user);
    if (exitCode !== 0) throw new EnvironmentError(`${what} exited with code ${exitCode}`, 'failed');
    return undefined;
  }

  private async runInContainer({ name, blueprint, progress, signal }: Deployment, command: string[], user?: string): Promise<number> {
    const exec = await this.docker.getContainer(containerNameOf(name)).exec({
      Cmd: command,
      AttachStdout: true,
      AttachStderr: true,
      Env: environmentList(blueprint.environment),
      ...(user ? { User: user } : {}),
    });
    const stream = await exec.start({ Detach: false, Tty: false });
    const stdout = progressWriter(progress);
    const stderr = progressWriter(progress);
    this.docker.modem.demuxStream(stream, stdout, stderr);
    // Stops waiting; the command itself goes on in the container, which is left for inspection.
    const abandon = () => stream.destroy();
    signal.addEventListener('abort', abandon, { once: true });
    try {
      await finished(stream);
    } finally {
      signal.removeEventListener('abort', abandon);
      stdout.end();
      stderr.end();
    }
    return this.exitCodeOf(exec);
  }

  private async exitCodeOf(exec: Docker.Exec): Promise<number> {
    for (let poll = 0; poll < EXIT_CODE_POLLS; poll++) {
      const { Running, ExitCode } = await exec.inspect();
      if (!Running && ExitCode !== null) return ExitCode;
      await delay(EXIT_CODE_POLL_INTERVAL_MS);
    }
    throw new EnvironmentError('the Docker engine did not report how the command ended', 'failed');
  }

  /** The environment's container, provided thresh made it: a stranger's container of the same name is not touched. */
  private async inspectOwned(name: string): Promise<Docker.ContainerInspectInfo> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(containerNameOf(name)).inspect();
    } catch (error) {
      throw this.translate(error, { 404: environmentNotFound(name) });
    }
    if (info.Config.Labels?.[LABELS.environment] !== name) throw environmentNotFound(name);
    return info;
  }

  private async volumesOf(name: string): Promise<string[]> {
    try {
      const { Volumes } = await this.docker.listVolumes({ filters: { label: [`${LABELS.environment}=${name}`] } });
      // Older engines answer null for no volumes.
      return (Volumes ?? []).map((volume) => volume.Name).filter((volume) => volume.startsWith(`${containerNameOf(name)}-`));
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async ignoreNotFound(request: Promise<unknown>): Promise<void> {
    try {
      await request;
    } catch (error) {
      if (statusCodeOf(error) !== 404) throw this.translate(error);
    }
  }

  private describe(info: Docker.ContainerInspectInfo): EnvironmentInfo {
    const labels = info.Config.Labels ?? {};
    const name = labels[LABELS.environment] ?? info.Name.replace(/^\/(thresh-)?/, '');
    const failure = this.failedDeployments.get(name);
    const { status, error } = failure ? { status: 'error' as const, error: failure } : stateOf(info);
    return {
      name,
      blueprint: labels[LABELS.blueprint] ?? '',
      driver: 'docker',
      status,
      createdAt: createdAtOf(labels[LABELS.createdAt] ?? info.Created),
      ports: portsOf(labels[LABELS.ports], info),
      runningAs: status === 'running' ? info.Id.slice(0, 12) : null,
      restarts: info.RestartCount ?? 0,
      error,
      owner: labels[LABELS.owner] ?? null,
      revision: labels[LABELS.revision] ?? null,
    };
  }

  /** Turns what dockerode rejects with into a sentence for a person; `known` gives the meaning of a status for this call. */
  private translate(error: unknown, known: Partial<Record<number, EnvironmentError>> = {}): EnvironmentError {
    if (error instanceof EnvironmentError) return error;
    const statusCode = statusCodeOf(error);
    if (statusCode !== undefined && known[statusCode]) return known[statusCode];
    const code = (error as DockerodeError | undefined)?.code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      return new EnvironmentError(`the Docker engine is not running (nothing answers on ${this.socketPath})`, 'failed');
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new EnvironmentError(`no permission to use ${this.socketPath}: add this user to the "docker" group`, 'failed');
    }
    const message = engineMessage(error);
    if (/port is already allocated|address already in use/i.test(message)) {
      return new EnvironmentError(`a port of the blueprint is already in use on this node (${message})`, 'failed');
    }
    return new EnvironmentError(`Docker engine error: ${message}`, 'failed');
  }
}

/**
 * Whether the image's own entrypoint and command run: asked for, and the blueprint has no command of its own. Not when
 * packages or scripts are to run first: they run in the container before its command, which then idles instead.
 */
function runsImageCommand({ blueprint, options }: Deployment): boolean {
  const hasSetupWork = blueprint.packages.length > 0 || Boolean(blueprint.scripts.setup) || Boolean(blueprint.scripts.postInstall);
  return options.imageCommand === true && !blueprint.command && !hasSetupWork;
}

/** Whether the container runs a command (the blueprint's or the image's), rather than idling for a shell. */
function runsCommand(deployment: Deployment): boolean {
  return Boolean(deployment.blueprint.command) || runsImageCommand(deployment);
}

/** Entrypoint and Cmd of the container: the blueprint's command behind the setup gate, the image's own, or idling. */
function commandOf(deployment: Deployment): { Entrypoint?: string[]; Cmd?: string[] } {
  const { command } = deployment.blueprint;
  if (command) return { Entrypoint: WAIT_FOR_READY, Cmd: ['sh', '-c', command] };
  if (runsImageCommand(deployment)) return {};
  return { Cmd: IDLE_COMMAND };
}

function stateOf(info: Docker.ContainerInspectInfo): { status: EnvironmentState; error: string | null } {
  const state = info.State;
  const hasCommand = !isIdleCommand(info.Config.Cmd);
  switch (state.Status) {
    case 'running':
      return { status: 'running', error: null };
    case 'restarting':
      return { status: 'error', error: `the command exited with code ${state.ExitCode} and is being restarted` };
    case 'exited':
      if (hasCommand && state.OOMKilled) return { status: 'error', error: 'the command was killed for running out of memory' };
      if (hasCommand && !STOPPED_EXIT_CODES.has(state.ExitCode)) {
        return { status: 'error', error: `the command exited with code ${state.ExitCode}` };
      }
      return { status: 'stopped', error: null };
    default:
      // created, paused, removing, dead: nothing runs.
      return { status: 'stopped', error: null };
  }
}

function isIdleCommand(command: string[] | null | undefined): boolean {
  return command?.length === IDLE_COMMAND.length && command.every((part, index) => part === IDLE_COMMAND[index]);
}

/** The engine writes nanoseconds ("…:56.123456789Z"); the protocol wants a plain ISO date. */
function createdAtOf(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

function portsOf(label: string | undefined, info: Docker.ContainerInspectInfo): number[] {
  const fromLabel = label?.split(',').filter(Boolean).map(Number);
  if (fromLabel && fromLabel.every(Number.isInteger)) return fromLabel;
  return Object.keys(info.HostConfig.PortBindings ?? {})
    .map((key) => Number.parseInt(key, 10))
    .filter(Number.isInteger);
}

function environmentList(environment: Record<string, string>): string[] {
  return Object.entries(environment).map(([key, value]) => `${key}=${value}`);
}

/** One line of shell that installs with whichever package manager the image has. */
function installCommand(packages: string[]): string {
  const names = packages.map(shellQuote).join(' ');
  return [
    'if command -v apt-get >/dev/null 2>&1; then',
    `  export DEBIAN_FRONTEND=noninteractive && apt-get update && apt-get install -y ${names}`,
    'elif command -v apk >/dev/null 2>&1; then',
    `  apk add --no-cache ${names}`,
    'else',
    '  echo "this image has neither apt-get nor apk to install packages with" >&2; exit 127',
    'fi',
  ].join('\n');
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Forwards a stream of output to the progress display, keeping multi-byte characters that straddle two chunks whole. */
function progressWriter(progress: DeployProgress): Writable {
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = decoder.write(chunk);
      if (text) progress.output(text);
      done();
    },
    final(done) {
      const rest = decoder.end();
      if (rest) progress.output(rest);
      done();
    },
  });
}

function statusCodeOf(error: unknown): number | undefined {
  const statusCode = (error as DockerodeError | undefined)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** The engine's own sentence, without dockerode's "(HTTP code 500) server error - " in front of it. */
function engineMessage(error: unknown): string {
  const json = (error as DockerodeError | undefined)?.json;
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string') return json.message.trim();
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\) .*? - /, '').trim();
}

function environmentNotFound(name: string): EnvironmentError {
  return new EnvironmentError(`no environment named "${name}"`, 'not_found');
}

function environmentExists(name: string): EnvironmentError {
  return new EnvironmentError(`environment "${name}" already exists`, 'conflict');
}

function imageNotFound(image: string): EnvironmentError {
  return new EnvironmentError(`image "${image}" not found`, 'failed');
}

function deploymentCancelled(name: string): EnvironmentError {
  return new EnvironmentError(`deployment of "${name}" was cancelled`, 'failed');
}
