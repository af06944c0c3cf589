import { blueprintSchema, CommandPayload, healthcheckSchema, StackServicePayload, StackServiceState } from '@thresh/protocol';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlueprintCatalog } from '../blueprints/blueprint-catalog';
import { EnvironmentManager } from '../environments/environment-manager';
import { ProcessDriver } from '../environments/process-driver';
import { DeployProgress } from '../environments/runtime-driver';
import { StackError, StackRunner } from './stack-runner';

jest.setTimeout(60_000);

/** Distinct ports nothing listens on: all taken from the system at once, then given back. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A raw TCP server, an HTTP API that is healthy when it reaches it, and a web server that asks the API. */
const SERVERS = {
  // A client that hangs up at once (a port probe) resets the connection: that must not end the server.
  'db.js': `require('net').createServer((socket) => socket.on('error', () => undefined).end('db\\n')).listen(Number(process.env.PORT), '127.0.0.1');`,
  'api.js': `
    const net = require('net');
    require('http').createServer((request, response) => {
      if (request.url === '/health') {
        const socket = net.connect(Number(process.env.DB_PORT), '127.0.0.1');
        socket.once('connect', () => { socket.destroy(); response.end('ok'); });
        socket.once('error', () => response.writeHead(503).end());
      } else if (request.url === '/') response.end('api');
      else response.writeHead(404).end();
    }).listen(Number(process.env.PORT), '127.0.0.1');`,
  'web.js': `
    require('http').createServer(async (_request, response) => {
      response.end('web sees ' + (await (await fetch(process.env.API_URL)).text()));
    }).listen(Number(process.env.PORT), '127.0.0.1');`,
};

describe('StackRunner with the process driver', () => {
  let root: string;
  let manager: EnvironmentManager;
  let runner: StackRunner;
  let ports: { db: number; api: number; web: number };
  let steps: string[];
  let output: string;
  const progress: DeployProgress = {
    step: (name, status, message) => steps.push([name, status, message].filter(Boolean).join(':')),
    output: (chunk) => {
      output += chunk;
    },
  };
  const never = new AbortController().signal;

  const service = (name: string, overrides: Partial<StackServicePayload> = {}): StackServicePayload => ({
    name,
    environment: `shop-${name}`,
    env: {},
    ports: [],
    volumes: [],
    dependsOn: [],
    restart: 'on-failure',
    ...overrides,
  });
  const db = () => service('db', { command: `exec node ${join(root, 'db.js')}`, ports: [ports.db] });
  const api = (healthPath = '/health') =>
    service('api', {
      command: `exec node ${join(root, 'api.js')}`,
      env: { DB_PORT: String(ports.db) },
      ports: [ports.api],
      dependsOn: ['db'],
      healthcheck: healthcheckSchema.parse({ http: `http://127.0.0.1:${ports.api}${healthPath}`, interval: 0.2, retries: 2 }),
    });
  const web = () =>
    service('web', { command: `exec node ${join(root, 'web.js')}`, env: { API_URL: `http://127.0.0.1:${ports.api}/` }, ports: [ports.web], dependsOn: ['api'] });
  const sleeper = (name: string, dependsOn: string[]) => service(name, { command: 'exec sleep 60', dependsOn });
  const deployment = (services: StackServicePayload[], overrides: Partial<CommandPayload<'stack.deploy'>> = {}): CommandPayload<'stack.deploy'> => ({
    stack: 'shop',
    onFailure: 'rollback',
    services,
    ...overrides,
  });
  const byName = (services: StackServiceState[]) => Object.fromEntries(services.map((state) => [state.name, state]));
  const runningAs = async () => Object.fromEntries((await manager.list()).map((environment) => [environment.name, environment.runningAs]));
  const failureOf = async (deploying: Promise<unknown>): Promise<StackError> => {
    const error = await deploying.then(
      () => new Error('the deployment succeeded'),
      (reason: unknown) => reason,
    );
    if (!(error instanceof StackError)) throw error;
    return error;
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'stack-runner-'));
    for (const [file, source] of Object.entries(SERVERS)) writeFileSync(join(root, file), source);
    manager = new EnvironmentManager([new ProcessDriver(join(root, 'environments'))], new BlueprintCatalog(join(root, 'blueprints')));
    runner = new StackRunner(manager);
    const [dbPort, apiPort, webPort] = await freePorts(3);
    ports = { db: dbPort, api: apiPort, web: webPort };
    steps = [];
    output = '';
  });

  afterEach(async () => {
    for (const environment of await manager.list()) await manager.destroy(environment.name);
    rmSync(root, { recursive: true, force: true });
  });

  it('deploys the services in dependency order, each once its dependencies are healthy', async () => {
    const { services } = await runner.deploy(deployment([web(), api(), db()]), progress, never);

    const states = byName(services);
    expect((await manager.list()).map((environment) => [environment.name, environment.owner])).toEqual([
      ['shop-api', 'stack:shop'],
      ['shop-db', 'stack:shop'],
      ['shop-web', 'stack:shop'],
    ]);
    expect(services.map((state) => [state.name, state.environment, state.status, state.error])).toEqual([
      ['web', 'shop-web', 'healthy', null],
      ['api', 'shop-api', 'healthy', null],
      ['db', 'shop-db', 'healthy', null],
    ]);
    expect(Date.parse(states.api.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(states.db.healthyAt as string));
    expect(Date.parse(states.web.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(states.api.healthyAt as string));
    expect(steps).toEqual([
      'service:db:started', 'service:db:done:deployed, healthy',
      'service:api:started', 'service:api:done:deployed, healthy',
      'service:web:started', 'service:web:done:deployed, healthy',
    ]);
    expect(output).toContain('[api] waiting for its health check\n');
    await expect((await fetch(`http://127.0.0.1:${ports.web}/`)).text()).resolves.toBe('web sees api');
  });

  it('redeploys only the services whose definition changed, and leaves the running ones alone', async () => {
    await runner.deploy(deployment([db(), api(), web()]), progress, never);
    const before = await runningAs();
    steps = [];
    const greeting = { ...web(), env: { ...web().env, GREETING: 'hello' } };

    const { services } = await runner.deploy(deployment([db(), api(), greeting]), progress, never);

    const after = await runningAs();
    expect(after['shop-db']).toBe(before['shop-db']);
    expect(after['shop-api']).toBe(before['shop-api']);
    expect(after['shop-web']).toEqual(expect.stringMatching(/^\d+$/));
    expect(after['shop-web']).not.toBe(before['shop-web']);
    const states = byName(services);
    expect(states.db).toEqual(expect.objectContaining({ status: 'healthy', startedAt: null, healthyAt: expect.any(String) }));
    expect(states.web).toEqual(expect.objectContaining({ status: 'healthy', startedAt: expect.any(String) }));
    expect(steps).toEqual([
      'service:db:started', 'service:db:done:unchanged, healthy',
      'service:api:started', 'service:api:done:unchanged, healthy',
      'service:web:started', 'service:web:done:updated, healthy',
    ]);
    expect(output).toContain('[web] replacing environment "shop-web" (its volumes are kept)\n');
    await expect((await fetch(`http://127.0.0.1:${ports.web}/`)).text()).resolves.toBe('web sees api');
  });

  it('keeps a service\'s volumes when an update replaces it', async () => {
    const writer = (version: string) => service('store', { command: `echo ${version} >> "$THRESH_VOLUME_DATA/versions"; exec sleep 60`, volumes: ['data'] });
    await runner.deploy(deployment([writer('one')]), progress, never);

    await runner.deploy(deployment([writer('two')]), progress, never);

    const [store] = await manager.list();
    expect(store).toEqual(expect.objectContaining({ name: 'shop-store', status: 'running' }));
    expect(readFileSync(join(root, 'environments', 'shop-store', 'volumes', 'data', 'versions'), 'utf8')).toBe('one\ntwo\n');
  });

  it('starts a stopped stack again as it was, and removes a service the stack no longer names', async () => {
    await runner.deploy(deployment([db(), api(), sleeper('cache', ['db'])]), progress, never);
    await runner.stop({ stack: 'shop', services: [db(), api(), sleeper('cache', ['db'])], destroy: false }, progress, never);
    const created = Object.fromEntries((await manager.list()).map((environment) => [environment.name, environment.createdAt]));
    steps = [];

    const { services } = await runner.deploy(deployment([db(), api()]), progress, never);

    expect(services.map((state) => [state.name, state.status])).toEqual([['db', 'healthy'], ['api', 'healthy']]);
    expect(steps).toEqual([
      'remove:shop-cache:started', 'remove:shop-cache:done:no longer part of the stack; its volumes are kept',
      'service:db:started', 'service:db:done:started, healthy',
      'service:api:started', 'service:api:done:started, healthy',
    ]);
    expect((await manager.list()).map((environment) => [environment.name, environment.status, environment.createdAt])).toEqual([
      ['shop-api', 'running', created['shop-api']],
      ['shop-db', 'running', created['shop-db']],
    ]);
  });

  it('refuses to replace an environment that is not part of the stack', async () => {
    await manager.deployBlueprint(blueprintSchema.parse({ name: 'mine', base: 'debian:12', command: 'exec sleep 60' }), 'shop-db', progress, never);
    const mine = (await runningAs())['shop-db'];

    const failure = await failureOf(runner.deploy(deployment([db()]), progress, never));

    expect(failure.message).toBe('service "db" failed: environment "shop-db" already exists and is not part of stack "shop"; rename the service or remove that environment; rolled back 0 service(s)');
    expect(await runningAs()).toEqual({ 'shop-db': mine });
    const stopped = await runner.stop({ stack: 'shop', services: [db()], destroy: true }, progress, never);
    expect(stopped.services).toEqual([expect.objectContaining({ name: 'db', status: 'stopped' })]);
    expect(await runningAs()).toEqual({ 'shop-db': mine });
  });

  it('runs one deploy or stop of a stack at a time', async () => {
    const deploying = runner.deploy(deployment([db(), api()]), progress, never);
    const stopping = runner.stop({ stack: 'shop', services: [db(), api()], destroy: false }, progress, never);

    await Promise.all([deploying, stopping]);

    expect(steps.indexOf('service:api:done:deployed, healthy')).toBeLessThan(steps.indexOf('service:api:started', steps.indexOf('service:api:done:deployed, healthy')));
    expect((await manager.list()).map((environment) => environment.status)).toEqual(['stopped', 'stopped']);
  });

  it('rolls back (stops) the services this deployment started when one never gets healthy, and keeps what ran before', async () => {
    await runner.deploy(deployment([db()]), progress, never);
    const dbBefore = (await runningAs())['shop-db'];

    const failure = await failureOf(runner.deploy(deployment([db(), api('/missing'), sleeper('cache', ['db']), web()]), progress, never));

    const check = `health check http://127.0.0.1:${ports.api}/missing failed 3 times: answered 404 Not Found`;
    expect(failure.message).toBe(`service "api" failed: ${check}; rolled back 2 service(s)`);
    expect(byName(failure.services)).toEqual({
      db: expect.objectContaining({ status: 'healthy', error: null }),
      api: expect.objectContaining({ status: 'error', startedAt: expect.any(String), healthyAt: null, error: check }),
      cache: expect.objectContaining({ status: 'stopped', error: null }),
      web: expect.objectContaining({ status: 'pending', startedAt: null, error: 'not started: service "api" failed' }),
    });
    expect(await runningAs()).toEqual({ 'shop-api': null, 'shop-cache': null, 'shop-db': dbBefore });
    expect((await manager.list()).map((environment) => environment.status)).toEqual(['stopped', 'stopped', 'running']);
    expect(steps).toEqual(expect.arrayContaining([`service:api:failed:${check}`, 'rollback:started:cache, api', 'rollback:done']));
  });

  it('goes on with the services whose dependencies are healthy when told to continue', async () => {
    const failure = await failureOf(
      runner.deploy(deployment([db(), api('/missing'), web(), sleeper('worker', ['db']), sleeper('report', ['worker'])], { onFailure: 'continue' }), progress, never),
    );

    expect(failure.message).toBe(`service "api" failed: health check http://127.0.0.1:${ports.api}/missing failed 3 times: answered 404 Not Found; 1 service(s) not started`);
    const states = byName(failure.services);
    expect(states.web).toEqual(expect.objectContaining({ status: 'pending', startedAt: null, error: 'not started: depends on failed service "api"' }));
    expect(states.api.status).toBe('error');
    expect([states.db.status, states.worker.status, states.report.status]).toEqual(['healthy', 'healthy', 'healthy']);
    expect(Object.keys(await runningAs()).sort()).toEqual(['shop-api', 'shop-db', 'shop-report', 'shop-worker']);
  });

  it('starts nothing more after a failure when told to stop, and keeps what runs', async () => {
    const failure = await failureOf(runner.deploy(deployment([db(), api('/missing'), web()], { onFailure: 'stop' }), progress, never));

    expect(failure.message).toMatch(/^service "api" failed: .*; 1 service\(s\) not started$/);
    expect(failure.services).toEqual([
      expect.objectContaining({ name: 'db', status: 'healthy', error: null }),
      expect.objectContaining({ name: 'api', status: 'error', error: expect.stringMatching(/^health check http:\/\/127\.0\.0\.1:\d+\/missing failed 3 times/) }),
      expect.objectContaining({ name: 'web', status: 'pending', error: 'not started: service "api" failed' }),
    ]);
    expect((await manager.list()).map((environment) => [environment.name, environment.status])).toEqual([
      ['shop-api', 'running'],
      ['shop-db', 'running'],
    ]);
  });

  it('fails a service with an image on a node without docker, without touching anything', async () => {
    const failure = await failureOf(runner.deploy(deployment([service('cache', { image: 'redis:7', ports: [ports.db] })]), progress, never));

    expect(failure.message).toBe('service "cache" failed: service "cache" needs the docker driver (it has an image), which this node does not have; rolled back 0 service(s)');
    expect(failure.services).toEqual([expect.objectContaining({ status: 'error' })]);
    expect(await manager.list()).toEqual([]);
  });

  it('stops the services dependents first, ignores missing ones, and destroys them when asked', async () => {
    await runner.deploy(deployment([db(), api(), web()]), progress, never);
    steps = [];
    const services = [db(), api(), web(), service('ghost')];

    const stopped = await runner.stop({ stack: 'shop', services, destroy: false }, progress, never);

    expect(stopped.services.map((state) => [state.name, state.status])).toEqual([
      ['db', 'stopped'],
      ['api', 'stopped'],
      ['web', 'stopped'],
      ['ghost', 'stopped'],
    ]);
    expect(steps.filter((step) => step.endsWith(':started'))).toEqual(['service:web:started', 'service:api:started', 'service:db:started', 'service:ghost:started']);
    expect(steps.indexOf('service:api:started')).toBeGreaterThan(steps.indexOf('service:web:done:stopped'));
    expect((await manager.list()).map((environment) => [environment.name, environment.status, environment.runningAs])).toEqual([
      ['shop-api', 'stopped', null],
      ['shop-db', 'stopped', null],
      ['shop-web', 'stopped', null],
    ]);

    const destroyed = await runner.stop({ stack: 'shop', services, destroy: true }, progress, never);

    expect(destroyed.services.every((state) => state.status === 'stopped')).toBe(true);
    expect(await manager.list()).toEqual([]);
  });
});
