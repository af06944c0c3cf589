import { AGENT_NAMESPACE, AGENT_REST_PREFIX, AGENT_SESSION_HEADER, AgentCommand, DASHBOARD_NAMESPACE, NodeStatusEvent } from '@thresh/protocol';
import { agentRegistration, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { FakeMidtier } from '../test/fake-midtier';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

describe('hub replicas on one database: broadcasts and command routing through PostgreSQL', () => {
  let hubA: TestHub;
  let hubB: TestHub;
  let midtierOnB: FakeMidtier;
  let dashboardOnA: Socket;
  const agentId = randomUUID();

  beforeAll(async () => {
    hubA = await startTestHub('replicas', { HUB_REPLICAS: 'true' });
    hubB = await startTestHub('replicas', { HUB_REPLICAS: 'true' }, hubA.database);
    await hubA.api.login('admin', ADMIN_PASSWORD);
    await hubB.api.login('admin', ADMIN_PASSWORD);
    midtierOnB = await FakeMidtier.connect(hubB, await hubA.api.createKey('midtier'), await hubA.api.createKey('agent'));
    dashboardOnA = io(`${hubA.url}${DASHBOARD_NAMESPACE}`, { auth: { token: hubA.api.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => dashboardOnA.once('connect', () => resolve()));
  });

  afterAll(async () => {
    dashboardOnA?.close();
    midtierOnB?.socket.close();
    await hubB?.close();
    await hubA?.close();
  });

  it('shows a browser on hub A the status of a node whose midtier is attached to hub B', async () => {
    const pushed: NodeStatusEvent[] = [];
    dashboardOnA.on('node:status', (event: NodeStatusEvent) => pushed.push(event));
    expect((await midtierOnB.register(agentId, 'far-node')).ok).toBe(true);
    await waitFor('hub A to push far-node online', () => pushed.find((event) => event.name === 'far-node' && event.status === 'online'));
  });

  it('hands a command created through hub A to the midtier attached to hub B', async () => {
    const created = await hubA.api.request<{ id: string; state: string }>('POST', '/api/nodes/far-node/up', { blueprint: 'alpine-minimal', name: 'far-env' });
    expect(created.status).toBe(202);
    const command = (await midtierOnB.commandFor(agentId, created.body.id)) as AgentCommand<'environment.up'>;
    expect(command.payload).toEqual(expect.objectContaining({ blueprint: 'alpine-minimal', name: 'far-env' }));
  });

  it('hands a command created through hub A to agents connected straight to hub B, over a socket or polling', async () => {
    const key = await hubA.api.createKey('agent');
    const socketAgent = io(`${hubB.url}${AGENT_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve) => socketAgent.once('connect', () => resolve()));
      const socketAgentId = randomUUID();
      expect(await socketAgent.emitWithAck('agent:register', agentRegistration({ agentId: socketAgentId, nodeName: 'direct-socket' }))).toEqual(expect.objectContaining({ ok: true }));
      const received = new Promise<AgentCommand>((resolve) => socketAgent.once('command:run', resolve));
      const created = await hubA.api.request<{ id: string }>('POST', '/api/nodes/direct-socket/up', { blueprint: 'alpine-minimal', name: 'one' });
      await expect(received).resolves.toEqual(expect.objectContaining({ id: created.body.id, kind: 'environment.up' }));

      const pollingAgentId = randomUUID();
      let session = '';
      const call = (path: string, init: RequestInit = {}) =>
        fetch(`${hubB.url}${AGENT_REST_PREFIX}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', [AGENT_SESSION_HEADER]: session },
        });
      const registered = await call('/register', { method: 'POST', body: JSON.stringify(agentRegistration({ agentId: pollingAgentId, nodeName: 'direct-rest' })) });
      expect(registered.status).toBe(200);
      session = ((await registered.json()) as { session: string }).session;
      // What waited for the node at registration comes first; then a poll that waits for the command from hub A.
      await (await call(`/commands?agentId=${pollingAgentId}`)).json();
      let answered = false;
      const poll = call(`/commands?agentId=${pollingAgentId}&wait=10`).then((response) => {
        answered = true;
        return response.json() as Promise<{ commands: AgentCommand[] }>;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Still waiting on hub B when the command is created on hub A.
      expect(answered).toBe(false);
      const second = await hubA.api.request<{ id: string }>('POST', '/api/nodes/direct-rest/up', { blueprint: 'alpine-minimal', name: 'two' });
      expect((await poll).commands.map((command) => command.id)).toEqual([second.body.id]);
    } finally {
      socketAgent.close();
    }
  });

  it('drops, on every replica, the connections of a key that is revoked on one', async () => {
    const key = await hubA.api.request<{ id: string; key: string }>('POST', '/api/keys', { type: 'midtier', name: 'short-lived' });
    const doomed = await FakeMidtier.connect(hubB, key.body.key, await hubA.api.createKey('agent'));
    const dropped = new Promise<string>((resolve) => doomed.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await hubA.api.request('DELETE', `/api/keys/${key.body.id}`)).status).toBe(200);
    await expect(dropped).resolves.toBe('io server disconnect');
  });
});
