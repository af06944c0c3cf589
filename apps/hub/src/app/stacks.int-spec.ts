import {
  AgentCommand,
  CommandProgressEvent,
  CommandResponse,
  DASHBOARD_NAMESPACE,
  StackDeployResponse,
  StackResponse,
  StackSummary,
} from '@thresh/protocol';
import { HubApi, waitFor } from '@thresh/testing';
import { io } from 'socket.io-client';
import { randomUUID } from 'node:crypto';
import { FakeMidtier } from '../test/fake-midtier';
import { HubFixtures } from '../test/fixtures';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

const webapp = {
  name: 'webapp',
  targetNode: 'stack-node',
  services: {
    db: { command: 'exec run-db', ports: [5432], healthcheck: { tcp: 5432 } },
    api: { command: 'exec run-api', ports: [8080], dependsOn: ['db'], env: { DATABASE_URL: 'postgres://${db.host}:${db.port}/app' } },
    web: { command: 'exec run-web', ports: [3000], depends_on: ['api'], env: { API: 'http://${api.host}:${api.port}' } },
  },
};

describe('stacks over REST: validated whole, deployed as one command, status read from it', () => {
  let hub: TestHub;
  let admin: HubApi;
  let viewer: HubApi;
  let midtier: FakeMidtier;
  const agentId = randomUUID();
  const otherAgentId = randomUUID();

  beforeAll(async () => {
    hub = await startTestHub('stacks');
    admin = hub.api;
    await admin.login('admin', ADMIN_PASSWORD);
    midtier = await FakeMidtier.connect(hub, await admin.createKey('midtier'), await admin.createKey('agent'));
    expect((await midtier.register(agentId, 'stack-node')).ok).toBe(true);
    expect((await midtier.register(otherAgentId, 'other-node')).ok).toBe(true);
    viewer = await new HubFixtures(hub).userWithRole(admin, 'viewer');
  });

  afterAll(async () => {
    midtier?.socket.close();
    await hub?.close();
  });

  const stack = async () => (await admin.request<StackResponse>('GET', '/api/stacks/webapp')).body;
  const statuses = async () => Object.fromEntries((await stack()).services.map((service) => [service.name, service.status]));

  it('refuses an invalid stack with every problem listed, and starts nothing', async () => {
    const cyclic = { name: 'loop', services: { api: { command: 'a', dependsOn: ['auth'] }, auth: { command: 'b', dependsOn: ['api'] } } };
    const refused = await admin.request<{ message: string; issues: { path: string; message: string }[] }>('POST', '/api/stacks/deploy', cyclic);
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([{ path: 'services', message: 'Circular dependency detected: api -> auth -> api' }]);

    const many = await admin.request<{ issues: { path: string; message: string }[] }>('POST', '/api/stacks/deploy', {
      name: 'many',
      services: [{ name: 'a', ports: [0], dependsOn: ['ghost'] }, { name: 'a', command: 'x' }],
    });
    expect(many.body.issues.map((issue) => issue.message)).toEqual([
      'service "a" needs an image (docker) or a command (process)',
      '0 is not a port (1-65535)',
      'duplicate service name "a"',
      'service "a" depends on unknown service "ghost"',
    ]);
    expect((await admin.request('GET', '/api/stacks/loop')).status).toBe(404);
    expect((await admin.request<{ total: number }>('GET', '/api/commands')).body.total).toBe(0);
  });

  it('deploys: 202, one command with references resolved, services followed step by step to running', async () => {
    const deployed = await admin.request<StackDeployResponse>('POST', '/api/stacks/deploy', webapp);
    expect(deployed).toEqual({ status: 202, body: expect.objectContaining({ name: 'webapp', status: 'deploying', node: 'stack-node', changed: ['db', 'api', 'web'] }) });
    const sent = (await midtier.commandFor(agentId, deployed.body.commandId)) as AgentCommand<'stack.deploy'>;
    expect(sent.kind).toBe('stack.deploy');
    expect(sent.payload.services.map((service) => [service.name, service.environment, service.env])).toEqual([
      ['db', 'webapp-db', {}],
      ['api', 'webapp-api', { DATABASE_URL: 'postgres://127.0.0.1:5432/app' }],
      ['web', 'webapp-web', { API: 'http://127.0.0.1:8080' }],
    ]);
    expect(await statuses()).toEqual({ db: 'pending', api: 'pending', web: 'pending' });

    const dashboard = io(`${hub.url}${DASHBOARD_NAMESPACE}`, { auth: { token: admin.token }, transports: ['websocket'], reconnection: false });
    const pushed: CommandProgressEvent[] = [];
    dashboard.on('command:progress', (event: CommandProgressEvent) => pushed.push(event));
    await new Promise<void>((resolve) => dashboard.once('connect', () => resolve()));
    const step = (name: string, status: 'started' | 'done', at: string) =>
      midtier.update(agentId, { commandId: sent.id, state: 'running', step: { name: `service:${name}`, status, at, ...(status === 'done' ? { message: 'healthy' } : {}) } });
    await step('db', 'started', '2026-11-27T10:00:00.000Z');
    await step('db', 'done', '2026-11-27T10:00:01.000Z');
    await step('api', 'started', '2026-11-27T10:00:01.100Z');
    expect(await stack()).toEqual(expect.objectContaining({ status: 'deploying' }));
    expect(await statuses()).toEqual({ db: 'healthy', api: 'deploying', web: 'pending' });
    // Browsers hear each step as it is stored.
    await waitFor('three steps pushed', () => pushed.length === 3);
    expect(pushed.map((event) => `${event.kind} ${event.nodeName} ${event.step?.name}:${event.step?.status}`)).toEqual([
      'stack.deploy stack-node service:db:started',
      'stack.deploy stack-node service:db:done',
      'stack.deploy stack-node service:api:started',
    ]);
    dashboard.close();

    const services = ['db', 'api', 'web'].map((name, index) => ({
      name,
      environment: `webapp-${name}`,
      status: 'healthy',
      startedAt: `2026-11-27T10:00:0${index * 2}.000Z`,
      healthyAt: `2026-11-27T10:00:0${index * 2 + 1}.000Z`,
      error: null,
    }));
    await midtier.update(agentId, { commandId: sent.id, state: 'succeeded', result: { services } });
    const running = await stack();
    expect(running).toEqual(expect.objectContaining({ status: 'running', node: 'stack-node', deployedBy: 'admin', error: null }));
    expect(running.services[2]).toEqual({ name: 'web', status: 'healthy', node: 'stack-node', startedAt: '2026-11-27T10:00:04.000Z', healthyAt: '2026-11-27T10:00:05.000Z', error: null });
    expect((await admin.request<StackSummary[]>('GET', '/api/stacks')).body).toEqual([expect.objectContaining({ name: 'webapp', status: 'running', services: 3, healthy: 3 })]);
  });

  it('shows viewers the services without their environment values, in the stack, its commands and the audit trail', async () => {
    const seen = (await viewer.request<StackResponse>('GET', '/api/stacks/webapp')).body;
    const services = (seen.definition as { services: { name: string; env: Record<string, string> }[] }).services;
    expect(services.find((service) => service.name === 'api')?.env).toEqual({ DATABASE_URL: '(hidden)' });
    const command = (await viewer.request<CommandResponse>('GET', `/api/commands/${seen.commandId}`)).body;
    expect(JSON.stringify(command.payload)).not.toContain('postgres://');
    expect(JSON.stringify((await admin.request<CommandResponse>('GET', `/api/commands/${seen.commandId}`)).body.payload)).toContain('postgres://127.0.0.1:5432/app');
    expect(JSON.stringify((await admin.request('GET', '/api/audit')).body)).not.toContain('postgres://');
  });

  it('updates: only the services whose definition changed are deployed again', async () => {
    const changed = { ...webapp, services: { ...webapp.services, web: { ...webapp.services.web, env: { ...webapp.services.web.env, THEME: 'dark' } } } };
    const deployed = await admin.request<StackDeployResponse>('POST', '/api/stacks/deploy', changed);
    expect(deployed.body.changed).toEqual(['web']);
    const sent = (await midtier.commandFor(agentId, deployed.body.commandId)) as AgentCommand<'stack.deploy'>;
    // While that deploy runs, another deploy or a stop would undo it half way.
    const busy = `Stack "webapp" is busy: its stack.deploy ${sent.id} is dispatched; wait for it, or cancel it with thresh command cancel ${sent.id}`;
    const [again, stop] = await Promise.all([admin.request('POST', '/api/stacks/deploy', changed), admin.request('POST', '/api/stacks/webapp/stop')]);
    expect([again, stop]).toEqual([
      { status: 409, body: expect.objectContaining({ message: busy }) },
      { status: 409, body: expect.objectContaining({ message: busy }) },
    ]);
    const failed = ['db', 'api', 'web'].map((name) => ({
      name,
      environment: `webapp-${name}`,
      status: name === 'web' ? 'error' : 'healthy',
      startedAt: null,
      healthyAt: null,
      error: name === 'web' ? 'health check tcp 3000 failed 3 times' : null,
    }));
    await midtier.update(agentId, { commandId: sent.id, state: 'failed', error: 'service "web" failed: health check tcp 3000 failed 3 times', result: { services: failed } });
    expect(await stack()).toEqual(expect.objectContaining({ status: 'degraded', error: 'service "web" failed: health check tcp 3000 failed 3 times' }));
  });

  it('moves to the node named, stopping its copy on the node it left', async () => {
    const moved = await admin.request<StackDeployResponse>('POST', '/api/stacks/deploy', { ...webapp, targetNode: 'other-node' });
    expect(moved.body).toEqual(expect.objectContaining({ node: 'other-node', changed: ['db', 'api', 'web'] }));
    const leftBehind = await waitFor('a stop for the node left', () => midtier.dispatched.find((event) => event.agentId === agentId && event.command.kind === 'stack.stop'));
    expect(leftBehind.command.payload).toEqual(expect.objectContaining({ stack: 'webapp', destroy: false }));
    const deploy = await midtier.commandFor(otherAgentId, moved.body.commandId);
    await midtier.update(otherAgentId, { commandId: deploy.id, state: 'succeeded', result: { services: [] } });
    await midtier.update(agentId, { commandId: leftBehind.command.id, state: 'succeeded', result: { services: [] } });

    const back = await admin.request<StackDeployResponse>('POST', '/api/stacks/deploy', webapp);
    const redeploy = await midtier.commandFor(agentId, back.body.commandId);
    await midtier.update(agentId, { commandId: redeploy.id, state: 'succeeded', result: { services: [] } });
    const stops = () => midtier.dispatched.filter((event) => event.command.kind === 'stack.stop').map((event) => event.agentId);
    await waitFor('a stop for the node left this time', () => stops().length === 2);
    expect(stops()).toEqual([agentId, otherAgentId]);
  });

  it('stops and deletes, telling the node, and audits each', async () => {
    const stopped = await admin.request<StackResponse>('POST', '/api/stacks/webapp/stop');
    expect(stopped.status).toBe(202);
    const stop = (await midtier.commandFor(agentId, stopped.body.commandId as string)) as AgentCommand<'stack.stop'>;
    expect(stop.payload).toEqual(expect.objectContaining({ stack: 'webapp', destroy: false }));
    await midtier.update(agentId, { commandId: stop.id, state: 'succeeded', result: { services: [] } });
    expect((await stack()).status).toBe('stopped');

    const deleted = await admin.request<{ commandId: string }>('DELETE', '/api/stacks/webapp?destroy=true');
    expect(deleted.status).toBe(202);
    const destroy = (await midtier.commandFor(agentId, deleted.body.commandId)) as AgentCommand<'stack.stop'>;
    expect(destroy.payload.destroy).toBe(true);
    expect((await admin.request('GET', '/api/stacks/webapp')).status).toBe(404);
    expect((await admin.request<CommandResponse>('GET', `/api/commands/${destroy.id}`)).body.kind).toBe('stack.stop');
    const audit = await admin.request<{ items: { action: string }[] }>('GET', '/api/audit');
    expect(audit.body.items.map((item) => item.action)).toEqual(expect.arrayContaining(['stack.deploy', 'stack.stop', 'stack.delete']));
  });

  it('says when there is nowhere to deploy', async () => {
    const nowhere = await admin.request<{ message: string }>('POST', '/api/stacks/deploy', { name: 'solo', targetCluster: 'nowhere', services: { a: { command: 'x' } } });
    expect(nowhere).toEqual({ status: 409, body: expect.objectContaining({ message: 'No online node in cluster "nowhere" to deploy on' }) });
    expect((await admin.request('POST', '/api/stacks/deploy', { name: 'solo', targetNode: 'ghost', services: { a: { command: 'x' } } })).status).toBe(404);
  });
});
