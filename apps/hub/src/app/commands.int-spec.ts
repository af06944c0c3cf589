import { AgentCommand, CommandListResponse, CommandResponse, NodeBlueprintsResponse, NodeEnvironmentsResponse } from '@thresh/protocol';
import { CommandsService } from '@thresh/server-commands';
import { HubApi, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { FakeMidtier } from '../test/fake-midtier';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

describe('commands: stored first, handed down through the midtier, answered once', () => {
  let hub: TestHub;
  let admin: HubApi;
  let midtier: FakeMidtier;
  const agentId = randomUUID();

  beforeAll(async () => {
    hub = await startTestHub('commands', { HUB_COMMAND_REDELIVER_SECONDS: '1' });
    admin = hub.api;
    await admin.login('admin', ADMIN_PASSWORD);
    midtier = await FakeMidtier.connect(hub, await admin.createKey('midtier'), await admin.createKey('agent'));
    expect((await midtier.register(agentId, 'worker-1')).ok).toBe(true);
  });

  afterAll(async () => {
    midtier?.socket.close();
    await hub?.close();
  });

  /** A node whose agent connected and left again. */
  const goOffline = async (offlineAgentId: string, nodeName: string) => {
    const connectionId = randomUUID();
    await midtier.register(offlineAgentId, nodeName, connectionId);
    midtier.socket.emit('node:disconnected', { agentId: offlineAgentId, connectionId });
    await waitFor(`${nodeName} offline`, async () => (await admin.request<{ status: string }>('GET', `/api/nodes/${nodeName}`)).body.status === 'offline');
  };

  const command = async (id: string) => (await admin.request<CommandResponse>('GET', `/api/commands/${id}`)).body;

  it('deploys: 202 with the command, handed down at once, steps and outcome recorded, the outcome accepted once', async () => {
    const created = await admin.request<CommandResponse>('POST', '/api/nodes/worker-1/up', { blueprint: 'python-dev', name: 'web' });
    expect(created.status).toBe(202);
    expect(created.body).toEqual(expect.objectContaining({ kind: 'environment.up', nodeName: 'worker-1', state: 'dispatched', payload: { blueprint: 'python-dev', name: 'web' } }));
    const sent = await midtier.commandFor(agentId, created.body.id);
    expect(sent).toEqual({ id: created.body.id, kind: 'environment.up', payload: { blueprint: 'python-dev', name: 'web' }, deadline: expect.any(String) });

    const at = new Date().toISOString();
    expect(await midtier.update(agentId, { commandId: sent.id, state: 'running', step: { name: 'setup', status: 'started', at } })).toEqual({ ok: true, accepted: true });
    expect(await command(sent.id)).toEqual(expect.objectContaining({ state: 'running', steps: [{ name: 'setup', status: 'started', at }], startedAt: expect.any(String) }));

    const environment = { name: 'web', blueprint: 'python-dev', driver: 'process', status: 'running', createdAt: at, ports: [], runningAs: '42', restarts: 0, error: null };
    const finish = { commandId: sent.id, state: 'succeeded', output: 'installing...\ndone\n', result: { environment } };
    expect(await midtier.update(agentId, finish)).toEqual({ ok: true, accepted: true });
    // Sent again (the agent never heard the acknowledgement): acknowledged, not applied twice.
    expect(await midtier.update(agentId, { ...finish, state: 'failed', error: 'late' })).toEqual({ ok: true, accepted: false });
    expect(await command(sent.id)).toEqual(
      expect.objectContaining({ state: 'succeeded', output: 'installing...\ndone\n', result: { environment }, error: null, finishedAt: expect.any(String), createdBy: 'admin' }),
    );
    const audit = await admin.request<{ items: { action: string; target: string }[] }>('GET', '/api/audit?action=command.create');
    expect(audit.body.items[0]).toEqual(expect.objectContaining({ target: 'environment.up on worker-1' }));
  });

  it('refuses bad requests with the field named, and unknown nodes with 404', async () => {
    const bad = await admin.request<{ message: string }>('POST', '/api/nodes/worker-1/up', { blueprint: 'Bad Name!', name: 'web' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('blueprint');
    const unknown = await admin.request<{ message: string }>('POST', '/api/nodes/nowhere/up', { blueprint: 'python-dev', name: 'web' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('nowhere');
    expect((await admin.request('GET', '/api/commands/not-a-command')).status).toBe(404);
  });

  it('keeps a command for an offline node until it registers again, then hands it down once', async () => {
    const offlineAgent = randomUUID();
    await goOffline(offlineAgent, 'worker-2');
    const created = await admin.request<CommandResponse>('POST', '/api/nodes/worker-2/environments/web/stop');
    expect(created.status).toBe(202);
    expect(created.body.state).toBe('queued');
    expect(midtier.dispatched.some((event) => event.command.id === created.body.id)).toBe(false);

    expect((await midtier.register(offlineAgent, 'worker-2')).ok).toBe(true);
    const sent = await midtier.commandFor(offlineAgent, created.body.id);
    expect(sent.kind).toBe('environment.stop');
    expect(midtier.dispatched.filter((event) => event.command.id === created.body.id)).toHaveLength(1);
    expect(await midtier.update(offlineAgent, { commandId: sent.id, state: 'failed', output: 'no such environment', error: 'no environment named "web"' })).toEqual({ ok: true, accepted: true });
    expect(await command(sent.id)).toEqual(expect.objectContaining({ state: 'failed', error: 'no environment named "web"', output: 'no such environment' }));
  });

  it('answers a question to the node (its blueprints) within the request, and says so when the node is offline', async () => {
    const blueprints = [{ name: 'python-dev', description: 'Python', base: 'python:3.12-slim', source: 'builtin', hasCommand: false }];
    midtier.socket.on('command:dispatch', ({ agentId: to, command: sent }: { agentId: string; command: AgentCommand }) => {
      if (to === agentId && sent.kind === 'blueprints.list') void midtier.update(agentId, { commandId: sent.id, state: 'succeeded', result: { blueprints } });
    });
    const answer = await admin.request<NodeBlueprintsResponse>('GET', '/api/nodes/worker-1/blueprints');
    expect(answer).toEqual({ status: 200, body: { node: 'worker-1', blueprints } });
  });

  it('lists commands by node and state, cancels a waiting one and tells the midtier, refuses to cancel a finished one', async () => {
    const created = (await admin.request<CommandResponse>('POST', '/api/nodes/worker-1/environments/web/start')).body;
    const cancelled = await admin.request<CommandResponse>('POST', `/api/commands/${created.id}/cancel`);
    expect(cancelled).toEqual({ status: 200, body: expect.objectContaining({ state: 'cancelled', error: 'Cancelled by admin' }) });
    await waitFor('cancel handed down', () => midtier.cancelled.some((event) => event.commandId === created.id));
    const again = await admin.request<{ message: string }>('POST', `/api/commands/${created.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('already cancelled');
    // The agent's late outcome is not accepted.
    expect(await midtier.update(agentId, { commandId: created.id, state: 'succeeded', result: {} })).toEqual({ ok: true, accepted: false });

    const list = await admin.request<CommandListResponse>('GET', '/api/commands?node=worker-1&state=cancelled');
    expect(list.body.items.map((item) => item.id)).toEqual([created.id]);
    expect((await admin.request('GET', '/api/commands?state=bogus')).status).toBe(400);
  });

  it("refuses a midtier's word on another node's command", async () => {
    const created = (await admin.request<CommandResponse>('POST', '/api/nodes/worker-1/environments/web/stop')).body;
    const stranger = randomUUID();
    await midtier.register(stranger, 'worker-3');
    expect(await midtier.update(stranger, { commandId: created.id, state: 'succeeded', result: {} })).toEqual({ ok: true, accepted: false });
    expect(await midtier.update(randomUUID(), { commandId: created.id, state: 'succeeded' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Unknown agent: register before reporting on commands' },
    });
    expect((await command(created.id)).state).toBe('dispatched');
  });

  it('hands a command down again when its node has not started it (the push was lost between links)', async () => {
    const created = (await admin.request<CommandResponse>('POST', '/api/nodes/worker-1/environments/web/start')).body;
    await midtier.commandFor(agentId, created.id);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await hub.app.get(CommandsService).redeliverOverdue()).toBeGreaterThanOrEqual(1);
    await waitFor('handed down again', () => midtier.dispatched.filter((event) => event.command.id === created.id).length === 2);
    // Started now: no more redelivery, while one handed down after it and never started is handed down again.
    await midtier.update(agentId, { commandId: created.id, state: 'running' });
    const unstarted = (await admin.request<CommandResponse>('POST', '/api/nodes/worker-1/environments/db/start')).body;
    await midtier.commandFor(agentId, unstarted.id);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await hub.app.get(CommandsService).redeliverOverdue();
    await waitFor('the unstarted one handed down again', () => midtier.dispatched.filter((event) => event.command.id === unstarted.id).length >= 2);
    expect(midtier.dispatched.filter((event) => event.command.id === created.id)).toHaveLength(2);
    const running = await admin.request<CommandResponse>('POST', `/api/commands/${created.id}/cancel`);
    // A running command is asked to stop; its node says how it ended.
    expect(running.body.state).toBe('running');
    await waitFor('stop asked of the node', () => midtier.cancelled.some((event) => event.commandId === created.id));
    expect(await midtier.update(agentId, { commandId: created.id, state: 'cancelled', error: 'cancelled' })).toEqual({ ok: true, accepted: true });
  });

  it('times out a command its node never took', async () => {
    const quiet = randomUUID();
    await midtier.register(quiet, 'worker-4');
    const created = (await admin.request<CommandResponse>('POST', '/api/nodes/worker-4/up', { blueprint: 'node-dev', name: 'api', ttlSeconds: 1 })).body;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await hub.app.get(CommandsService).timeOutExpired()).toBeGreaterThanOrEqual(1);
    expect(await command(created.id)).toEqual(expect.objectContaining({ state: 'timed_out', error: 'The node did not take the command before it expired' }));
  });

  it("shows an offline node's environments as last reported, and refuses to ask it questions", async () => {
    await goOffline(randomUUID(), 'worker-5');
    expect(await admin.request<NodeEnvironmentsResponse>('GET', '/api/nodes/worker-5/environments')).toEqual({
      status: 200,
      body: { node: 'worker-5', source: 'last-report', environments: [] },
    });
    const blueprints = await admin.request<{ message: string }>('GET', '/api/nodes/worker-5/blueprints');
    expect(blueprints).toEqual({ status: 503, body: expect.objectContaining({ message: 'Node "worker-5" is offline; ask again when it is back' }) });
  });
});
