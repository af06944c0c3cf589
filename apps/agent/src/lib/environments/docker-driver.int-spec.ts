import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Blueprint, type BlueprintInput, blueprintSchema, environmentInfoSchema } from '@thresh/protocol';
import { DockerDriver } from './docker-driver';
import { type DeployOptions, type DeployProgress, EnvironmentError } from './runtime-driver';

/**
 * A Docker engine that answers over a unix socket the way the Engine API (v1.4x) documents it, and records every
 * request, so the tests check both what a user sees and what the driver asks of the engine.
 */

/** dockerode may put the API version in front of every path (/v1.47/containers/json). */
const API_VERSION_PREFIX = /^\/v\d+\.\d+(?=\/)/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** One frame of the multiplexed exec output: 1 is stdout, 2 is stderr. */
type Frame = [stream: 1 | 2, text: string];

interface ExecAnswer {
  frames?: Frame[];
  exitCode?: number;
  /** How many inspects report the exec as still running after its output has ended, as a busy engine can. */
  runningForInspects?: number;
}

interface ContainerCreateBody {
  Image: string;
  Labels?: Record<string, string>;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  ExposedPorts?: Record<string, object>;
  HostConfig?: {
    Init?: boolean;
    Binds?: string[];
    PortBindings?: Record<string, Array<{ HostPort: string }>>;
    RestartPolicy?: { Name: string };
    NetworkMode?: string;
  };
}

interface FakeContainer {
  id: string;
  name: string;
  config: ContainerCreateBody;
  status: 'created' | 'running' | 'restarting' | 'exited' | 'paused' | 'dead';
  exitCode: number;
  restartCount: number;
  /** Volumes the image declared, as the engine lists them: anonymous, with generated names. */
  mounts?: { Type: 'volume'; Name: string; Destination: string }[];
}

interface FakeExec {
  id: string;
  containerId: string;
  cmd: string[];
  user: string;
  answer: ExecAnswer;
  started: boolean;
  inspects: number;
}

interface Fault {
  method: string;
  path: RegExp;
  statusCode: number;
  message: string;
}

type ContainerOptions = Partial<Pick<FakeContainer, 'status' | 'exitCode' | 'restartCount'>>;

type Handler = (request: IncomingMessage, response: ServerResponse, match: RegExpMatchArray, recorded: RecordedRequest) => void;

class FakeDockerEngine {
  readonly requests: RecordedRequest[] = [];
  /** Requests no route answered: the driver asked for something the tests did not expect. */
  readonly unhandled: string[] = [];
  readonly images = new Set<string>();
  readonly containers: FakeContainer[] = [];
  readonly volumes = new Map<string, Record<string, string>>();
  readonly execs: FakeExec[] = [];
  readonly faults: Fault[] = [];
  /** Decides what an exec prints and how it exits, from its Cmd. */
  answerExec: (cmd: string[]) => ExecAnswer = () => ({ exitCode: 0 });
  /** Lines of the pull stream sent after the progress lines, as the engine does for a failure once the pull has begun. */
  pullStreamError?: string;
  private idCounter = 0;
  private readonly server: Server;

  private readonly routes: Array<[method: string, path: RegExp, handler: Handler]> = [
    ['GET', /^\/_ping$/, (_request, response) => sendText(response, 200, 'OK')],
    ['GET', /^\/images\/(.+)\/json$/, (_request, response, [, name]) => this.inspectImage(response, decodeURIComponent(name))],
    ['POST', /^\/images\/create$/, (_request, response, _match, { query }) => this.pullImage(response, query)],
    ['POST', /^\/volumes\/create$/, (_request, response, _match, { body }) => this.createVolume(response, body)],
    ['GET', /^\/volumes$/, (_request, response, _match, { query }) => this.listVolumes(response, query)],
    ['DELETE', /^\/volumes\/([^/]+)$/, (_request, response, [, name]) => this.removeVolume(response, name)],
    ['POST', /^\/containers\/create$/, (_request, response, _match, { query, body }) => this.createContainer(response, query, body)],
    ['GET', /^\/containers\/json$/, (_request, response, _match, { query }) => this.listContainers(response, query)],
    ['GET', /^\/containers\/([^/]+)\/json$/, this.onContainer((response, container) => sendJson(response, 200, inspectOf(container)))],
    ['POST', /^\/containers\/([^/]+)\/start$/, this.onContainer((response, container) => this.startContainer(response, container))],
    ['POST', /^\/containers\/([^/]+)\/stop$/, this.onContainer((response, container) => this.stopContainer(response, container))],
    ['DELETE', /^\/containers\/([^/]+)$/, this.onContainer((response, container) => this.removeContainer(response, container))],
    ['POST', /^\/containers\/([^/]+)\/exec$/, this.onContainer((response, container, request) => this.createExec(response, container, request.body))],
    ['POST', /^\/exec\/([^/]+)\/start$/, (request, response, [, id]) => this.startExec(request, response, id)],
    ['GET', /^\/exec\/([^/]+)\/json$/, (_request, response, [, id]) => this.inspectExec(response, id)],
  ];

  private constructor(readonly socketPath: string) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => sendJson(response, 500, { message: String(error) }));
    });
  }

  static async start(socketPath: string): Promise<FakeDockerEngine> {
    const engine = new FakeDockerEngine(socketPath);
    await new Promise<void>((resolve, reject) => {
      engine.server.once('error', reject);
      engine.server.listen(socketPath, resolve);
    });
    return engine;
  }

  async close(): Promise<void> {
    // dockerode keeps connections alive; close() alone would wait for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** "METHOD /path" of every request, in order, for checking the sequence of calls. */
  calls(): string[] {
    return this.requests.map(({ method, path }) => `${method} ${path}`);
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  addContainer(name: string, options: ContainerOptions & { config?: Partial<ContainerCreateBody> } = {}): FakeContainer {
    const container: FakeContainer = {
      id: this.nextId('container'),
      name,
      status: options.status ?? 'running',
      exitCode: options.exitCode ?? 0,
      restartCount: options.restartCount ?? 0,
      config: { Image: 'debian:bookworm-slim', Cmd: ['sleep', 'infinity'], ...options.config },
    };
    this.containers.push(container);
    return container;
  }

  /** A container as the driver would have created it for environment `name`. */
  addEnvironment(
    name: string,
    options: ContainerOptions & { command?: string; ports?: number[] } = {},
  ): FakeContainer {
    return this.addContainer(`thresh-${name}`, {
      ...options,
      config: {
        Labels: {
          'thresh.environment': name,
          'thresh.blueprint': 'node-app',
          'thresh.created-at': '2025-03-01T09:30:00.000Z',
          'thresh.ports': (options.ports ?? []).join(','),
        },
        Cmd: options.command ? ['sh', '-c', options.command] : ['sleep', 'infinity'],
      },
    });
  }

  private nextId(kind: string): string {
    this.idCounter += 1;
    return createHash('sha256').update(`${kind}-${this.idCounter}`).digest('hex');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://docker');
    const path = url.pathname.replace(API_VERSION_PREFIX, '');
    const method = request.method ?? 'GET';
    const recorded: RecordedRequest = { method, path, query: url.searchParams, body: await readJsonBody(request) };
    this.requests.push(recorded);

    const fault = this.faults.find((candidate) => candidate.method === method && candidate.path.test(path));
    if (fault) return sendJson(response, fault.statusCode, { message: fault.message });
    for (const [routeMethod, pattern, handler] of this.routes) {
      const match = routeMethod === method ? path.match(pattern) : null;
      if (match) return handler(request, response, match, recorded);
    }
    this.unhandled.push(`${method} ${path}`);
    sendJson(response, 404, { message: 'page not found' });
  }

  private inspectImage(response: ServerResponse, name: string): void {
    if (!this.images.has(name)) return sendJson(response, 404, { message: `No such image: ${name}` });
    sendJson(response, 200, { Id: `sha256:${this.nextId('image')}`, RepoTags: [name], Os: 'linux', Architecture: 'amd64' });
  }

  private pullImage(response: ServerResponse, query: URLSearchParams): void {
    const image = `${query.get('fromImage')}:${query.get('tag')}`;
    const layer = 'a2318d6c47ec';
    const lines = [
      { status: `Pulling from library/${query.get('fromImage')}`, id: query.get('tag') },
      { status: 'Pulling fs layer', progressDetail: {}, id: layer },
      { status: 'Downloading', progressDetail: { current: 1024, total: 29_125_000 }, progress: '[>        ]  1.024kB/29.13MB', id: layer },
      { status: 'Download complete', progressDetail: {}, id: layer },
      { status: 'Pull complete', progressDetail: {}, id: layer },
      ...(this.pullStreamError
        ? [{ errorDetail: { message: this.pullStreamError }, error: this.pullStreamError }]
        : [
            { status: `Digest: sha256:${this.nextId('digest')}` },
            { status: `Status: Downloaded newer image for ${image}` },
          ]),
    ];
    if (!this.pullStreamError) this.images.add(image);
    const text = lines.map((line) => `${JSON.stringify(line)}\r\n`).join('');
    response.writeHead(200, { 'Content-Type': 'application/json' });
    // Cut mid-line, as the network may: the client has to join the halves before parsing.
    const cut = Math.floor(text.length / 2);
    response.write(text.slice(0, cut));
    setImmediate(() => response.end(text.slice(cut)));
  }

  private createVolume(response: ServerResponse, body: unknown): void {
    const { Name, Labels = {} } = body as { Name: string; Labels?: Record<string, string> };
    if (!this.volumes.has(Name)) this.volumes.set(Name, Labels);
    sendJson(response, 201, volumeOf(Name, this.volumes.get(Name) ?? {}));
  }

  private listVolumes(response: ServerResponse, query: URLSearchParams): void {
    const labels = filtersOf(query).label ?? [];
    const volumes = [...this.volumes].filter(([, volumeLabels]) => labels.every((filter) => matchesLabel(volumeLabels, filter)));
    sendJson(response, 200, { Volumes: volumes.map(([name, volumeLabels]) => volumeOf(name, volumeLabels)), Warnings: null });
  }

  private removeVolume(response: ServerResponse, name: string): void {
    if (!this.volumes.delete(name)) return sendJson(response, 404, { message: `get ${name}: no such volume` });
    sendEmpty(response, 204);
  }

  private createContainer(response: ServerResponse, query: URLSearchParams, body: unknown): void {
    const config = body as ContainerCreateBody;
    const name = query.get('name') ?? this.nextId('name').slice(0, 12);
    const existing = this.containers.find((container) => container.name === name);
    if (existing) {
      return sendJson(response, 409, {
        message:
          `Conflict. The container name "/${name}" is already in use by container "${existing.id}". ` +
          'You have to remove (or rename) that container to be able to reuse that name.',
      });
    }
    if (!this.images.has(config.Image)) return sendJson(response, 404, { message: `No such image: ${config.Image}` });
    // Like the engine, a container created without a Cmd gets the image's own (debian's is bash).
    const container = this.addContainer(name, { status: 'created', config: { ...config, Cmd: config.Cmd ?? ['bash'] } });
    sendJson(response, 201, { Id: container.id, Warnings: [] });
  }

  private listContainers(response: ServerResponse, query: URLSearchParams): void {
    const labels = filtersOf(query).label ?? [];
    const all = query.get('all') === 'true' || query.get('all') === '1';
    const listed = this.containers
      .filter((container) => all || container.status === 'running')
      .filter((container) => labels.every((filter) => matchesLabel(container.config.Labels ?? {}, filter)));
    sendJson(
      response,
      200,
      listed.map((container) => ({
        Id: container.id,
        Names: [`/${container.name}`],
        Image: container.config.Image,
        ImageID: `sha256:${container.id}`,
        Command: (container.config.Cmd ?? []).join(' '),
        Created: 1_740_821_400,
        Ports: [],
        Labels: container.config.Labels ?? {},
        State: container.status,
        Status: container.status === 'running' ? 'Up 5 minutes' : `Exited (${container.exitCode}) 2 minutes ago`,
        HostConfig: { NetworkMode: 'bridge' },
        NetworkSettings: { Networks: {} },
        Mounts: [],
      })),
    );
  }

  /** A route on /containers/{id}/…, answered 404 for a container the engine does not have. */
  private onContainer(act: (response: ServerResponse, container: FakeContainer, recorded: RecordedRequest) => void): Handler {
    return (_request, response, [, id], recorded) => this.withContainer(response, id, (container) => act(response, container, recorded));
  }

  /** The engine takes a full id, a unique id prefix or a name. */
  private withContainer(response: ServerResponse, idOrName: string, then: (container: FakeContainer) => void): void {
    const container = this.containers.find(
      (candidate) => candidate.name === idOrName.replace(/^\//, '') || (idOrName.length >= 12 && candidate.id.startsWith(idOrName)),
    );
    if (!container) return sendJson(response, 404, { message: `No such container: ${idOrName}` });
    then(container);
  }

  private startContainer(response: ServerResponse, container: FakeContainer): void {
    if (container.status === 'running') return sendEmpty(response, 304);
    container.status = 'running';
    sendEmpty(response, 204);
  }

  private stopContainer(response: ServerResponse, container: FakeContainer): void {
    if (container.status !== 'running') return sendEmpty(response, 304);
    container.status = 'exited';
    container.exitCode = 143;
    sendEmpty(response, 204);
  }

  private removeContainer(response: ServerResponse, container: FakeContainer): void {
    this.containers.splice(this.containers.indexOf(container), 1);
    sendEmpty(response, 204);
  }

  private createExec(response: ServerResponse, container: FakeContainer, body: unknown): void {
    if (container.status !== 'running') return sendJson(response, 409, { message: `container ${container.id} is not running` });
    const { Cmd, User = '' } = body as { Cmd: string[]; User?: string };
    const exec: FakeExec = {
      id: this.nextId('exec'),
      containerId: container.id,
      cmd: Cmd,
      user: User,
      answer: this.answerExec(Cmd),
      started: false,
      inspects: 0,
    };
    this.execs.push(exec);
    sendJson(response, 201, { Id: exec.id });
  }

  /** Like the engine, hijacks the connection: a bare status line and header, then the framed output until it closes. */
  private startExec(request: IncomingMessage, response: ServerResponse, id: string): void {
    const exec = this.execs.find((candidate) => candidate.id === id);
    if (!exec) return sendJson(response, 404, { message: `No such exec instance: ${id}` });
    exec.started = true;
    const output = Buffer.concat((exec.answer.frames ?? []).map(([stream, text]) => frame(stream, text)));
    const socket = request.socket;
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n');
    // Cut inside a frame header, so the client has to buffer before it can demultiplex.
    const cut = Math.min(3, output.length);
    socket.write(output.subarray(0, cut));
    setImmediate(() => socket.end(output.subarray(cut)));
  }

  private inspectExec(response: ServerResponse, id: string): void {
    const exec = this.execs.find((candidate) => candidate.id === id);
    if (!exec) return sendJson(response, 404, { message: `No such exec instance: ${id}` });
    exec.inspects += 1;
    const running = !exec.started || exec.inspects <= (exec.answer.runningForInspects ?? 0);
    sendJson(response, 200, {
      CanRemove: false,
      ContainerID: exec.containerId,
      DetachKeys: '',
      ExitCode: running ? null : (exec.answer.exitCode ?? 0),
      ID: exec.id,
      OpenStderr: true,
      OpenStdin: false,
      OpenStdout: true,
      ProcessConfig: { arguments: exec.cmd.slice(1), entrypoint: exec.cmd[0], privileged: false, tty: false, user: exec.user },
      Running: running,
      Pid: running ? 4242 : 0,
    });
  }
}

function inspectOf(container: FakeContainer): object {
  const { config, status } = container;
  return {
    Id: container.id,
    Created: '2025-03-01T09:30:00.123456789Z',
    Path: (config.Entrypoint ?? config.Cmd ?? [])[0],
    Args: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].slice(1),
    State: {
      Status: status,
      Running: status === 'running' || status === 'restarting',
      Paused: status === 'paused',
      Restarting: status === 'restarting',
      OOMKilled: false,
      Dead: status === 'dead',
      Pid: status === 'running' ? 4100 : 0,
      ExitCode: container.exitCode,
      Error: '',
      StartedAt: '2025-03-01T09:30:01.000000000Z',
      FinishedAt: status === 'exited' ? '2025-03-01T09:35:00.000000000Z' : '0001-01-01T00:00:00Z',
    },
    Image: `sha256:${container.id}`,
    Name: `/${container.name}`,
    RestartCount: container.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    HostConfig: {
      Binds: config.HostConfig?.Binds ?? null,
      PortBindings: config.HostConfig?.PortBindings ?? {},
      RestartPolicy: config.HostConfig?.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
      Init: config.HostConfig?.Init ?? null,
      NetworkMode: config.HostConfig?.NetworkMode ?? 'bridge',
    },
    Config: {
      Image: config.Image,
      Env: config.Env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: config.Cmd ?? null,
      Entrypoint: config.Entrypoint ?? null,
      Labels: config.Labels ?? {},
      ExposedPorts: config.ExposedPorts,
    },
    Mounts: container.mounts ?? [],
    NetworkSettings: { Ports: {} },
  };
}

function volumeOf(name: string, labels: Record<string, string>): object {
  return {
    Name: name,
    Driver: 'local',
    Mountpoint: `/var/lib/docker/volumes/${name}/_data`,
    Labels: labels,
    Scope: 'local',
    Options: null,
    CreatedAt: '2025-03-01T09:30:00Z',
  };
}

/** The stream framing of exec and attach output: [stream, 0, 0, 0, big-endian uint32 length], then the bytes. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function filtersOf(query: URLSearchParams): Record<string, string[]> {
  const filters = query.get('filters');
  return filters ? (JSON.parse(filters) as Record<string, string[]>) : {};
}

/** A label filter is "key" (has the label) or "key=value". */
function matchesLabel(labels: Record<string, string>, filter: string): boolean {
  const [key, ...value] = filter.split('=');
  return key in labels && (value.length === 0 || labels[key] === value.join('='));
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  sendText(response, statusCode, JSON.stringify(body), 'application/json');
}

function sendText(response: ServerResponse, statusCode: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  response.writeHead(statusCode, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Api-Version': '1.47' });
  response.end(text);
}

function sendEmpty(response: ServerResponse, statusCode: 204 | 304): void {
  response.writeHead(statusCode, { 'Api-Version': '1.47' });
  response.end();
}

/** Collects what the progress display would show. */
function recordProgress(onStep?: (name: string, status: string) => void) {
  const steps: Array<[name: string, status: string, message?: string]> = [];
  const chunks: string[] = [];
  const progress: DeployProgress = {
    step: (name, status, message) => {
      steps.push(message === undefined ? [name, status] : [name, status, message]);
      onStep?.(name, status);
    },
    output: (chunk) => chunks.push(chunk),
  };
  return { progress, steps, output: () => chunks.join('') };
}

function blueprint(input: Partial<BlueprintInput> = {}): Blueprint {
  return blueprintSchema.parse({ name: 'node-app', ...input });
}

async function rejectionOf(promise: Promise<unknown>): Promise<EnvironmentError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return error as EnvironmentError;
  }
  throw new Error('expected the promise to reject');
}

describe('DockerDriver against a fake Docker engine', () => {
  let folder: string;
  let engine: FakeDockerEngine;
  let driver: DockerDriver;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'thresh-docker-'));
    engine = await FakeDockerEngine.start(join(folder, 'docker.sock'));
    driver = new DockerDriver({ socketPath: engine.socketPath });
  });

  function deploy(name: string, input: Partial<BlueprintInput>, progress = recordProgress().progress, signal?: AbortSignal) {
    return driver.up(name, blueprint(input), progress, signal ?? new AbortController().signal);
  }

  afterEach(async () => {
    await engine.close();
    await rm(folder, { recursive: true, force: true });
    expect(engine.unhandled).toEqual([]);
  });

  describe('available()', () => {
    it('is true when the engine answers its ping, false when there is no socket', async () => {
      await expect(driver.available()).resolves.toBe(true);
      expect(engine.calls()).toEqual(['GET /_ping']);

      await expect(new DockerDriver({ socketPath: join(folder, 'missing.sock') }).available()).resolves.toBe(false);
    });

    it('is false when the engine answers its ping with an error', async () => {
      engine.faults.push({ method: 'GET', path: /^\/_ping$/, statusCode: 500, message: 'daemon is shutting down' });

      await expect(driver.available()).resolves.toBe(false);
    });
  });

  describe('up()', () => {
    it('pulls the missing image, creates volumes and the container, installs packages, runs the scripts, then starts the command', async () => {
      engine.answerExec = (cmd) =>
        cmd[2] === 'npm ci'
          ? { frames: [[1, 'added 212 packages\n'], [2, 'npm warn deprecated glob@7 — ünïcödé\n']], exitCode: 0 }
          : { exitCode: 0 };
      const { progress, steps, output } = recordProgress();

      const info = await driver.up(
        'web',
        blueprint({
          base: 'debian:bookworm-slim',
          packages: ['git', 'ca-certificates'],
          environment: { PORT: '3000', GREETING: 'hello world' },
          ports: [3000, 9229],
          scripts: { setup: 'npm ci', postInstall: 'npm run build' },
          volumes: ['data', 'cache'],
          command: 'node server.js',
        }),
        progress,
        new AbortController().signal,
      );

      const [container] = engine.containers;
      expect(info).toEqual({
        name: 'web',
        blueprint: 'node-app',
        driver: 'docker',
        status: 'running',
        createdAt: expect.stringMatching(ISO_DATE),
        ports: [3000, 9229],
        runningAs: container.id.slice(0, 12),
        restarts: 0,
        error: null,
        owner: null,
        revision: null,
      });
      expect(environmentInfoSchema.parse(info)).toEqual(info);
      expect(steps).toEqual([
        ['image', 'started'],
        ['image', 'done', 'pulled debian:bookworm-slim'],
        ['volumes', 'started'],
        ['volumes', 'done'],
        ['container', 'started'],
        ['container', 'done'],
        ['packages', 'started'],
        ['packages', 'done'],
        ['setup', 'started'],
        ['setup', 'done'],
        ['postInstall', 'started'],
        ['postInstall', 'done'],
        ['command', 'started'],
        ['command', 'done'],
      ]);
      // Demultiplexed stdout and stderr, whole characters, no frame headers; pull milestones without byte counts.
      expect(output()).toContain('added 212 packages\nnpm warn deprecated glob@7 — ünïcödé\n');
      expect(output()).toContain('Status: Downloaded newer image for debian:bookworm-slim\n');
      expect(output()).not.toContain('Downloading');
      expect(output()).not.toContain('\u0000');

      const [execPackages, execSetup, execPostInstall, execReady] = engine.execs.map((exec) => exec.id);
      expect(engine.calls()).toEqual([
        'GET /containers/thresh-web/json',
        'GET /images/debian:bookworm-slim/json',
        'POST /images/create',
        'POST /volumes/create',
        'POST /volumes/create',
        'POST /containers/create',
        `POST /containers/${container.id}/start`,
        ...[execPackages, execSetup, execPostInstall, execReady].flatMap((id) => [
          'POST /containers/thresh-web/exec',
          `POST /exec/${id}/start`,
          `GET /exec/${id}/json`,
        ]),
        'GET /containers/thresh-web/json',
      ]);

      const [pull] = engine.requestsTo('POST', '/images/create');
      expect(Object.fromEntries(pull.query)).toEqual({ fromImage: 'debian', tag: 'bookworm-slim' });

      expect(engine.requestsTo('POST', '/volumes/create').map((request) => request.body)).toEqual([
        { Name: 'thresh-web-data', Labels: { 'thresh.environment': 'web' } },
        { Name: 'thresh-web-cache', Labels: { 'thresh.environment': 'web' } },
      ]);

      const [create] = engine.requestsTo('POST', '/containers/create');
      expect(create.query.get('name')).toBe('thresh-web');
      expect(create.body).toEqual({
        name: 'thresh-web',
        Image: 'debian:bookworm-slim',
        Labels: {
          'thresh.environment': 'web',
          'thresh.blueprint': 'node-app',
          'thresh.created-at': expect.stringMatching(ISO_DATE),
          'thresh.ports': '3000,9229',
        },
        Env: ['PORT=3000', 'GREETING=hello world'],
        ExposedPorts: { '3000/tcp': {}, '9229/tcp': {} },
        Entrypoint: ['sh', '-c', expect.stringContaining('/.thresh-ready'), 'thresh-wait-for-setup'],
        Cmd: ['sh', '-c', 'node server.js'],
        HostConfig: {
          Init: true,
          Binds: ['thresh-web-data:/data', 'thresh-web-cache:/cache'],
          PortBindings: { '3000/tcp': [{ HostPort: '3000' }], '9229/tcp': [{ HostPort: '9229' }] },
          RestartPolicy: { Name: 'on-failure' },
        },
      });

      const execBodies = engine.requestsTo('POST', '/containers/thresh-web/exec').map((request) => request.body);
      const environment = ['PORT=3000', 'GREETING=hello world'];
      expect(execBodies).toEqual([
        { Cmd: ['sh', '-c', expect.any(String)], AttachStdout: true, AttachStderr: true, Env: environment, User: 'root' },
        { Cmd: ['sh', '-c', 'npm ci'], AttachStdout: true, AttachStderr: true, Env: environment },
        { Cmd: ['sh', '-c', 'npm run build'], AttachStdout: true, AttachStderr: true, Env: environment },
        { Cmd: ['touch', '/.thresh-ready'], AttachStdout: true, AttachStderr: true, Env: environment, User: 'root' },
      ]);
      const installLine = engine.execs[0].cmd[2];
      expect(installLine).toContain('command -v apt-get');
      expect(installLine).toContain("apt-get install -y 'git' 'ca-certificates'");
      expect(installLine).toContain('command -v apk');
      expect(installLine).toContain("apk add --no-cache 'git' 'ca-certificates'");
      expect(engine.requestsTo('POST', `/exec/${execSetup}/start`)[0].body).toEqual({ Detach: false, Tty: false });
    });

    it('uses an image that is already present and keeps a container without a command alive', async () => {
      engine.images.add('alpine:3.20');
      const { progress, steps } = recordProgress();

      const info = await deploy('shell', { base: 'alpine:3.20' }, progress);

      expect(info).toMatchObject({ name: 'shell', status: 'running', ports: [], error: null });
      expect(steps).toEqual([
        ['image', 'started'],
        ['image', 'done', 'alpine:3.20 is already present'],
        ['container', 'started'],
        ['container', 'done'],
      ]);
      expect(engine.requestsTo('POST', '/images/create')).toEqual([]);
      expect(engine.execs).toEqual([]);
      const [create] = engine.requestsTo('POST', '/containers/create');
      expect(create.body).toMatchObject({ Cmd: ['sleep', 'infinity'], Env: [], HostConfig: { Binds: [], PortBindings: {} } });
      expect(create.body).not.toHaveProperty('Entrypoint');
      expect(create.body).not.toHaveProperty('HostConfig.RestartPolicy');
    });

    it('fails the setup step with the exit code of the script, leaving the container for inspection shown as error', async () => {
      engine.images.add('node:22-slim');
      engine.answerExec = (cmd) =>
        cmd[2] === 'npm ci' ? { frames: [[2, 'npm error Missing script: "ci"\n']], exitCode: 3 } : { exitCode: 0 };
      const { progress, steps, output } = recordProgress();

      const error = await rejectionOf(
        deploy('web', { base: 'node:22-slim', scripts: { setup: 'npm ci', postInstall: 'npm run build' }, command: 'node .' }, progress),
      );

      expect(error).toMatchObject({ code: 'failed', message: 'setup script exited with code 3' });
      expect(steps.slice(-2)).toEqual([
        ['setup', 'started'],
        ['setup', 'failed', 'setup script exited with code 3'],
      ]);
      expect(steps.map(([name]) => name)).not.toContain('postInstall');
      expect(output()).toContain('npm error Missing script: "ci"\n');
      expect(engine.execs.map((exec) => exec.cmd)).toEqual([['sh', '-c', 'npm ci']]);
      expect(engine.calls().filter((call) => call.startsWith('DELETE'))).toEqual([]);
      expect(engine.containers.map((container) => container.name)).toEqual(['thresh-web']);

      await expect(driver.list()).resolves.toEqual([
        expect.objectContaining({ name: 'web', status: 'error', error: 'setup script exited with code 3', runningAs: null }),
      ]);
    });

    it('waits for the engine to record the exit code of a script whose output has ended', async () => {
      engine.images.add('debian:bookworm-slim');
      engine.answerExec = () => ({ frames: [[1, 'ok\n']], exitCode: 0, runningForInspects: 1 });

      await deploy('web', { scripts: { setup: 'true' } });

      const [exec] = engine.execs;
      expect(engine.requestsTo('GET', `/exec/${exec.id}/json`)).toHaveLength(2);
    });

    it('refuses an existing environment as a conflict before pulling anything', async () => {
      engine.addEnvironment('web');

      const error = await rejectionOf(deploy('web', {}));

      expect(error).toMatchObject({ code: 'conflict', message: 'environment "web" already exists' });
      expect(engine.calls()).toEqual(['GET /containers/thresh-web/json']);
    });

    it('turns a 409 from container create into a conflict', async () => {
      engine.images.add('debian:bookworm-slim');
      // Another deployment takes the name between the check and the create; the engine answers 409.
      const { progress, steps } = recordProgress((name, status) => {
        if (name === 'container' && status === 'started') engine.addEnvironment('web', { command: 'node other.js' });
      });

      const error = await rejectionOf(deploy('web', {}, progress));

      expect(error).toMatchObject({ code: 'conflict', message: 'environment "web" already exists' });
      expect(steps.at(-1)).toEqual(['container', 'failed', 'environment "web" already exists']);
      expect(engine.requestsTo('POST', '/containers/create')).toHaveLength(1);
      // The other deployment's container is not ours to mark as failed.
      await expect(driver.list()).resolves.toEqual([expect.objectContaining({ name: 'web', status: 'running', error: null })]);
    });

    it('explains an image the registry does not have (404 from the pull)', async () => {
      engine.faults.push({
        method: 'POST',
        path: /^\/images\/create$/,
        statusCode: 404,
        message:
          "pull access denied for nosuch/image, repository does not exist or may require 'docker login': " +
          'denied: requested access to the resource is denied',
      });
      const { progress, steps } = recordProgress();

      const error = await rejectionOf(deploy('web', { base: 'nosuch/image:1.0' }, progress));

      expect(error).toMatchObject({ code: 'failed', message: 'image "nosuch/image:1.0" not found' });
      expect(steps).toEqual([
        ['image', 'started'],
        ['image', 'failed', 'image "nosuch/image:1.0" not found'],
      ]);
      expect(Object.fromEntries(engine.requestsTo('POST', '/images/create')[0].query)).toEqual({ fromImage: 'nosuch/image', tag: '1.0' });
      expect(engine.requestsTo('POST', '/containers/create')).toEqual([]);
    });

    it('reports a failure the engine sends inside the pull stream', async () => {
      engine.pullStreamError = 'toomanyrequests: You have reached your unauthenticated pull rate limit.';

      const error = await rejectionOf(deploy('web', { base: 'python:3.12-slim' }));

      expect(error).toMatchObject({
        code: 'failed',
        message: 'could not pull image "python:3.12-slim": toomanyrequests: You have reached your unauthenticated pull rate limit.',
      });
      expect(engine.requestsTo('POST', '/containers/create')).toEqual([]);
    });

    it('names a port taken on the node when the container cannot start, and keeps the container', async () => {
      engine.images.add('debian:bookworm-slim');
      engine.faults.push({
        method: 'POST',
        path: /^\/containers\/[0-9a-f]{64}\/start$/,
        statusCode: 500,
        message:
          'driver failed programming external connectivity on endpoint thresh-web (9b1c): ' +
          'Bind for 0.0.0.0:3000 failed: port is already allocated',
      });

      const error = await rejectionOf(deploy('web', { ports: [3000] }));

      expect(error.code).toBe('failed');
      expect(error.message).toMatch(/^a port of the blueprint is already in use on this node \(.*Bind for 0\.0\.0\.0:3000 failed: .*\)$/);
      expect(error.message).not.toContain('HTTP code');
      await expect(driver.list()).resolves.toEqual([expect.objectContaining({ name: 'web', status: 'error', error: error.message })]);
    });

    it('stops between steps once the deployment is cancelled', async () => {
      engine.images.add('debian:bookworm-slim');
      const controller = new AbortController();
      const { progress, steps } = recordProgress((name, status) => {
        if (name === 'image' && status === 'done') controller.abort();
      });

      const error = await rejectionOf(deploy('web', { scripts: { setup: 'make' } }, progress, controller.signal));

      expect(error).toMatchObject({ code: 'failed', message: 'deployment of "web" was cancelled' });
      expect(steps).toEqual([
        ['image', 'started'],
        ['image', 'done', 'debian:bookworm-slim is already present'],
      ]);
      expect(engine.requestsTo('POST', '/containers/create')).toEqual([]);
    });
  });

  describe('up() with deploy options', () => {
    beforeEach(() => engine.images.add('debian:bookworm-slim'));

    function deployWith(name: string, input: Partial<BlueprintInput>, options: DeployOptions) {
      return driver.up(name, blueprint(input), recordProgress().progress, new AbortController().signal, options);
    }

    function createBody(): ContainerCreateBody {
      const [create] = engine.requestsTo('POST', '/containers/create');
      return create.body as ContainerCreateBody;
    }

    it('labels the container with who manages it and what was deployed, and lists both', async () => {
      const info = await deployWith('web', { command: 'node server.js' }, { owner: 'stack:shop', revision: 'sha256:9f86d0' });

      expect(info).toMatchObject({ name: 'web', owner: 'stack:shop', revision: 'sha256:9f86d0' });
      expect(createBody().Labels).toMatchObject({ 'thresh.owner': 'stack:shop', 'thresh.revision': 'sha256:9f86d0' });
      await expect(driver.list()).resolves.toEqual([expect.objectContaining({ name: 'web', owner: 'stack:shop', revision: 'sha256:9f86d0' })]);

      engine.requests.length = 0;
      await deployWith('plain', { command: 'node server.js' }, {});
      expect(createBody().Labels).not.toHaveProperty(['thresh.owner']);
      expect(createBody().Labels).not.toHaveProperty(['thresh.revision']);
      await expect(driver.list()).resolves.toContainEqual(expect.objectContaining({ name: 'plain', owner: null, revision: null }));
    });

    it('gives the command the restart policy asked for, and a container without a command none', async () => {
      await deployWith('always', { command: 'node server.js' }, { restart: 'always' });
      await deployWith('once', { command: 'node job.js' }, { restart: 'no' });
      await deployWith('shell', {}, { restart: 'always' });

      const policies = engine.requestsTo('POST', '/containers/create').map((request) => (request.body as ContainerCreateBody).HostConfig?.RestartPolicy);
      expect(policies).toEqual([{ Name: 'always' }, { Name: 'no' }, undefined]);
    });

    it("shares the host's network: no ports exposed or bound, and the environment still lists its ports", async () => {
      const info = await deployWith('db', { ports: [5432], command: 'postgres' }, { hostNetwork: true });

      expect(info.ports).toEqual([5432]);
      const body = createBody();
      expect(body.HostConfig).toMatchObject({ NetworkMode: 'host' });
      expect(body.HostConfig).not.toHaveProperty('PortBindings');
      expect(body).not.toHaveProperty('ExposedPorts');
      expect(body.Labels).toMatchObject({ 'thresh.ports': '5432' });
    });

    it("runs the image's own entrypoint and command when asked, with nothing to run before it", async () => {
      const { progress, steps } = recordProgress();

      const info = await driver.up('cache', blueprint({ base: 'debian:bookworm-slim', ports: [6379] }), progress, new AbortController().signal, {
        imageCommand: true,
        restart: 'always',
      });

      expect(info).toMatchObject({ name: 'cache', status: 'running' });
      const body = createBody();
      expect(body).not.toHaveProperty('Cmd');
      expect(body).not.toHaveProperty('Entrypoint');
      expect(body.HostConfig).toMatchObject({ RestartPolicy: { Name: 'always' }, PortBindings: { '6379/tcp': [{ HostPort: '6379' }] } });
      // No command of the blueprint waits for the ready marker: nothing is run in the container.
      expect(steps.map(([name]) => name)).not.toContain('command');
      expect(engine.execs).toEqual([]);

      // The image's command is a command: its failure is an error, not an idle shell stopping.
      const [container] = engine.containers;
      container.status = 'exited';
      container.exitCode = 1;
      await expect(driver.list()).resolves.toEqual([expect.objectContaining({ name: 'cache', status: 'error', error: 'the command exited with code 1' })]);
    });

    it("idles as before when the image's command is asked for but scripts must run first", async () => {
      await deployWith('cache', { scripts: { setup: 'mkdir -p /data' } }, { imageCommand: true });

      const body = createBody();
      expect(body.Cmd).toEqual(['sleep', 'infinity']);
      expect(body).not.toHaveProperty('Entrypoint');
      expect(body).not.toHaveProperty('HostConfig.RestartPolicy');
      expect(engine.execs.map((exec) => exec.cmd)).toEqual([['sh', '-c', 'mkdir -p /data']]);
    });
  });

  describe('list()', () => {
    it('maps container states to environment statuses', async () => {
      const running = engine.addEnvironment('api', { status: 'running', restartCount: 2, command: 'node server.js', ports: [8080] });
      engine.addEnvironment('batch', { status: 'exited', exitCode: 0, command: 'node job.js' });
      engine.addEnvironment('broken', { status: 'exited', exitCode: 1, command: 'node crash.js' });
      engine.addEnvironment('flapping', { status: 'restarting', exitCode: 2, restartCount: 7, command: 'node flap.js' });
      engine.addEnvironment('halted', { status: 'exited', exitCode: 143, command: 'node server.js' });
      engine.addEnvironment('shell', { status: 'exited', exitCode: 137 });
      engine.addContainer('unrelated-postgres');

      const environments = await driver.list();

      expect(environments).toEqual([
        {
          name: 'api',
          blueprint: 'node-app',
          driver: 'docker',
          status: 'running',
          createdAt: '2025-03-01T09:30:00.000Z',
          ports: [8080],
          runningAs: running.id.slice(0, 12),
          restarts: 2,
          error: null,
          owner: null,
          revision: null,
        },
        expect.objectContaining({ name: 'batch', status: 'stopped', runningAs: null, error: null }),
        expect.objectContaining({ name: 'broken', status: 'error', runningAs: null, error: 'the command exited with code 1' }),
        expect.objectContaining({
          name: 'flapping',
          status: 'error',
          restarts: 7,
          error: 'the command exited with code 2 and is being restarted',
        }),
        expect.objectContaining({ name: 'halted', status: 'stopped', error: null }),
        expect.objectContaining({ name: 'shell', status: 'stopped', error: null }),
      ]);
      for (const environment of environments) expect(environmentInfoSchema.parse(environment)).toEqual(environment);

      const [listRequest] = engine.requestsTo('GET', '/containers/json');
      expect(listRequest.query.get('all')).toBe('true');
      expect(JSON.parse(listRequest.query.get('filters') ?? '{}')).toEqual({ label: ['thresh.environment'] });
    });

    it('turns an engine failure into a sentence without a stack', async () => {
      engine.faults.push({
        method: 'GET',
        path: /^\/containers\/json$/,
        statusCode: 500,
        message: 'error during connect: context deadline exceeded',
      });

      const error = await rejectionOf(driver.list());

      expect(error).toMatchObject({ code: 'failed', message: 'Docker engine error: error during connect: context deadline exceeded' });

      const unreachable = await rejectionOf(new DockerDriver({ socketPath: join(folder, 'missing.sock') }).list());
      expect(unreachable.message).toBe(`the Docker engine is not running (nothing answers on ${join(folder, 'missing.sock')})`);
    });
  });

  describe('start(), stop() and destroy()', () => {
    it('send the requests the engine expects and report the new state', async () => {
      const container = engine.addEnvironment('web', { status: 'exited', exitCode: 143, command: 'node server.js', ports: [3000] });
      engine.volumes.set('thresh-web-data', { 'thresh.environment': 'web' });
      engine.volumes.set('thresh-web-cache', { 'thresh.environment': 'web' });
      engine.volumes.set('thresh-web-api-data', { 'thresh.environment': 'web-api' });

      await expect(driver.start('web')).resolves.toMatchObject({
        name: 'web',
        status: 'running',
        runningAs: container.id.slice(0, 12),
        ports: [3000],
      });
      await expect(driver.stop('web')).resolves.toMatchObject({ name: 'web', status: 'stopped', runningAs: null });
      await expect(driver.destroy('web')).resolves.toBeUndefined();

      expect(engine.calls()).toEqual([
        'GET /containers/thresh-web/json',
        `POST /containers/${container.id}/start`,
        'GET /containers/thresh-web/json',
        'GET /containers/thresh-web/json',
        `POST /containers/${container.id}/stop`,
        'GET /containers/thresh-web/json',
        'GET /containers/thresh-web/json',
        `DELETE /containers/${container.id}`,
        'GET /volumes',
        'DELETE /volumes/thresh-web-data',
        'DELETE /volumes/thresh-web-cache',
      ]);
      expect(engine.requestsTo('POST', `/containers/${container.id}/stop`)[0].query.get('t')).toBe('10');
      expect(Object.fromEntries(engine.requestsTo('DELETE', `/containers/${container.id}`)[0].query)).toEqual({ force: 'true', v: 'true' });
      const volumeFilters = engine.requestsTo('GET', '/volumes')[0].query.get('filters') ?? '{}';
      expect(JSON.parse(volumeFilters)).toEqual({ label: ['thresh.environment=web'] });
      // Another environment whose name begins the same way keeps its volume.
      expect([...engine.volumes.keys()]).toEqual(['thresh-web-api-data']);
      expect(engine.containers).toEqual([]);
    });

    it('keep the named volumes and the image\'s own when asked, for the next deployment of that name to use again', async () => {
      const container = engine.addEnvironment('db', { status: 'running', command: 'postgres' });
      container.mounts = [
        { Type: 'volume', Name: '3f9c0a1b2c', Destination: '/var/lib/postgresql/data' },
        { Type: 'volume', Name: 'thresh-db-data', Destination: '/data' },
      ];
      engine.volumes.set('thresh-db-data', { 'thresh.environment': 'db' });

      await expect(driver.destroy('db', { keepVolumes: true })).resolves.toBeUndefined();

      expect(engine.calls()).toEqual(['GET /containers/thresh-db/json', `DELETE /containers/${container.id}`]);
      expect(Object.fromEntries(engine.requestsTo('DELETE', `/containers/${container.id}`)[0].query)).toEqual({ force: 'true', v: 'false' });
      expect(engine.containers).toEqual([]);
      expect([...engine.volumes.keys()]).toEqual(['thresh-db-data']);
      await expect(driver.list()).resolves.toEqual([]);
      // Volumes alone are no environment.
      await expect(rejectionOf(driver.destroy('db', { keepVolumes: true }))).resolves.toMatchObject({ code: 'not_found' });

      engine.images.add('debian:bookworm-slim');
      await deploy('db', { volumes: ['data'], command: 'postgres' });
      expect([...engine.volumes.keys()]).toEqual(['thresh-db-data']);
      expect((engine.requestsTo('POST', '/containers/create')[0].body as ContainerCreateBody).HostConfig?.Binds).toEqual([
        'thresh-db-data:/data',
        '3f9c0a1b2c:/var/lib/postgresql/data',
      ]);

      // A plain destroy takes the volumes too.
      await driver.destroy('db');
      expect(engine.volumes.size).toBe(0);
    });

    it('treat starting a running environment and stopping a stopped one as done (304)', async () => {
      engine.addEnvironment('up', { status: 'running' });
      engine.addEnvironment('down', { status: 'exited', exitCode: 137 });

      await expect(driver.start('up')).resolves.toMatchObject({ status: 'running' });
      await expect(driver.stop('down')).resolves.toMatchObject({ status: 'stopped' });
    });

    it('answer not_found for an environment that does not exist, and leave a stranger container of that name alone', async () => {
      engine.addContainer('thresh-impostor', { status: 'exited' });

      for (const name of ['ghost', 'impostor']) {
        for (const action of [() => driver.start(name), () => driver.stop(name), () => driver.destroy(name)]) {
          const error = await rejectionOf(action());
          expect(error).toMatchObject({ code: 'not_found', message: `no environment named "${name}"` });
        }
      }
      expect(engine.calls().filter((call) => !call.startsWith('GET'))).toEqual([]);
      expect(engine.containers.map((container) => container.name)).toEqual(['thresh-impostor']);
    });
  });
});
