import { Ack, ClusterDetailResponse, ClusterResponse, ErrorBody, MIDTIER_NAMESPACE, NodeListResponse, RegisteredNode } from '@thresh/protocol';
import { agentRegistration, HubApi, waitFor } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { HubFixtures } from '../test/fixtures';
import { ADMIN_PASSWORD, startTestHub, TestHub } from '../test/test-hub';

describe('clusters: create, describe, group nodes, delete; per account and per role', () => {
  let hub: TestHub;
  let admin: HubApi;
  let operator: HubApi;
  let viewer: HubApi;
  let otherAdmin: HubApi;
  const sockets: Socket[] = [];
  const nodes: Record<string, RegisteredNode> = {};
  const dbAgentId = randomUUID();

  const agentKeys = new Map<Socket, string>();
  const midtierFor = async (api: HubApi): Promise<Socket> => {
    const agentKey = await api.createKey('agent');
    const socket = io(`${hub.url}${MIDTIER_NAMESPACE}`, { auth: { key: await api.createKey('midtier') }, transports: ['websocket'], reconnection: false });
    agentKeys.set(socket, agentKey);
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  const register = async (socket: Socket, nodeName: string, agentId = randomUUID()): Promise<RegisteredNode> => {
    const ack: Ack<RegisteredNode> = await socket.emitWithAck('node:register', {
      key: agentKeys.get(socket),
      connectionId: `c-${nodeName}`,
      registration: agentRegistration({ agentId, nodeName }),
    });
    if (!ack.ok) throw new Error(`could not register ${nodeName}: ${ack.error.message}`);
    return ack;
  };

  beforeAll(async () => {
    hub = await startTestHub('clusters');
    const fixtures = new HubFixtures(hub);
    admin = hub.api;
    await admin.login('admin', ADMIN_PASSWORD);
    operator = await fixtures.userWithRole(admin, 'operator');
    viewer = await fixtures.userWithRole(admin, 'viewer');
    otherAdmin = await fixtures.createAccountWithAdmin('other', 'other-admin');

    const midtier = await midtierFor(admin);
    for (const name of ['web-1', 'web-2']) nodes[name] = await register(midtier, name);
    nodes['db-1'] = await register(midtier, 'db-1', dbAgentId);
    // db-1's agent goes away: it stays registered, offline.
    midtier.emit('node:disconnected', { agentId: dbAgentId, connectionId: 'c-db-1' });
    await waitFor('db-1 to be offline', async () => (await admin.request<{ status: string }>('GET', '/api/nodes/db-1')).body.status === 'offline', 10_000);

    // The other account has nodes and a cluster of its own, with names account A also uses.
    const otherMidtier = await midtierFor(otherAdmin);
    nodes['other:web-1'] = await register(otherMidtier, 'web-1');
    nodes['other:secret-node'] = await register(otherMidtier, 'secret-node');
    expect((await otherAdmin.request('POST', '/api/clusters', { name: 'other-private' })).status).toBe(201);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.close();
  });

  describe('create, read, update, delete', () => {
    it('creates a cluster (201) and refuses the same name again with 409 naming it', async () => {
      const created = await operator.request<ClusterResponse>('POST', '/api/clusters', { name: 'edge-eu', description: 'EU edge locations' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), name: 'edge-eu', description: 'EU edge locations', nodeCount: 0, createdAt: expect.any(String) });

      const again = await admin.request<ErrorBody>('POST', '/api/clusters', { name: 'edge-eu', description: 'another' });
      expect(again.status).toBe(409);
      expect(again.body).toEqual(expect.objectContaining({ code: 'conflict', message: 'A cluster named "edge-eu" already exists' }));
      // The first one is untouched.
      expect((await admin.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu')).body.description).toBe('EU edge locations');
    });

    it('lets another account use the same name: names are unique per account', async () => {
      const created = await otherAdmin.request<ClusterResponse>('POST', '/api/clusters', { name: 'edge-eu' });
      expect(created.status).toBe(201);
      expect((await otherAdmin.request('DELETE', '/api/clusters/edge-eu')).status).toBe(204);
      expect((await admin.request('GET', '/api/clusters/edge-eu')).status).toBe(200);
    });

    it('shows one cluster with its (no) nodes, and 404 naming an unknown one', async () => {
      const detail = await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu');
      expect(detail.status).toBe(200);
      expect(detail.body).toEqual(expect.objectContaining({ name: 'edge-eu', description: 'EU edge locations', nodeCount: 0, nodes: [] }));

      const missing = await viewer.request<ErrorBody>('GET', '/api/clusters/no-such-cluster');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(expect.objectContaining({ code: 'not_found', message: 'No cluster named "no-such-cluster"' }));
    });

    it('changes the description with PATCH, and 404 names an unknown cluster', async () => {
      const patched = await operator.request<ClusterDetailResponse>('PATCH', '/api/clusters/edge-eu', { description: 'Frankfurt and Paris' });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual(expect.objectContaining({ name: 'edge-eu', description: 'Frankfurt and Paris' }));
      expect((await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu')).body.description).toBe('Frankfurt and Paris');
      // An empty description is a description.
      expect((await operator.request<ClusterDetailResponse>('PATCH', '/api/clusters/edge-eu', { description: '' })).body.description).toBe('');
      expect((await operator.request('PATCH', '/api/clusters/edge-eu', { description: 'Frankfurt and Paris' })).status).toBe(200);

      const missing = await operator.request<ErrorBody>('PATCH', '/api/clusters/nowhere', { description: 'x' });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('No cluster named "nowhere"');
    });

    it('lists clusters by name with their node counts', async () => {
      expect((await admin.request('POST', '/api/clusters', { name: 'batch' })).status).toBe(201);
      const listed = await viewer.request<ClusterResponse[]>('GET', '/api/clusters');
      expect(listed.status).toBe(200);
      expect(listed.body.map(({ name, description, nodeCount }) => ({ name, description, nodeCount }))).toEqual([
        { name: 'batch', description: '', nodeCount: 0 },
        { name: 'edge-eu', description: 'Frankfurt and Paris', nodeCount: 0 },
      ]);
    });

    it('deletes a cluster (204), then answers 404 for it; deleting twice is 404 naming it', async () => {
      expect((await operator.request('DELETE', '/api/clusters/batch')).status).toBe(204);
      expect((await viewer.request('GET', '/api/clusters/batch')).status).toBe(404);
      const twice = await operator.request<ErrorBody>('DELETE', '/api/clusters/batch');
      expect(twice.status).toBe(404);
      expect(twice.body.message).toBe('No cluster named "batch"');
    });
  });

  describe('membership', () => {
    it('adds nodes by name, by id and by id prefix (201), and shows them with their status', async () => {
      const byName = await operator.request<ClusterDetailResponse>('POST', '/api/clusters/edge-eu/nodes', { node: 'web-2' });
      expect(byName.status).toBe(201);
      expect(byName.body.nodes.map((node) => node.name)).toEqual(['web-2']);

      expect((await operator.request('POST', '/api/clusters/edge-eu/nodes', { node: nodes['db-1'].nodeId })).status).toBe(201);
      const byPrefix = await admin.request<ClusterDetailResponse>('POST', '/api/clusters/edge-eu/nodes', { node: nodes['web-1'].nodeId.slice(0, 8) });
      expect(byPrefix.status).toBe(201);

      const detail = await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu');
      expect(detail.status).toBe(200);
      expect(detail.body.nodeCount).toBe(3);
      expect(detail.body.nodes).toEqual([
        { id: nodes['db-1'].nodeId, name: 'db-1', status: 'offline', lastSeenAt: expect.any(String) },
        { id: nodes['web-1'].nodeId, name: 'web-1', status: 'online', lastSeenAt: expect.any(String) },
        { id: nodes['web-2'].nodeId, name: 'web-2', status: 'online', lastSeenAt: expect.any(String) },
      ]);
      const listed = await viewer.request<ClusterResponse[]>('GET', '/api/clusters');
      expect(listed.body.find((cluster) => cluster.name === 'edge-eu')?.nodeCount).toBe(3);
      // The node list's cluster filter sees the same members.
      const filtered = await viewer.request<NodeListResponse>('GET', '/api/nodes?cluster=edge-eu');
      expect(filtered.body.items.map((node) => node.name)).toEqual(['db-1', 'web-1', 'web-2']);
    });

    it('refuses to add a node twice with 409 naming the node and the cluster', async () => {
      const twice = await operator.request<ErrorBody>('POST', '/api/clusters/edge-eu/nodes', { node: 'web-1' });
      expect(twice.status).toBe(409);
      expect(twice.body).toEqual(expect.objectContaining({ code: 'conflict', message: 'node "web-1" is already in cluster "edge-eu"' }));
      // Given by id, it is still named by its name.
      const byId = await operator.request<ErrorBody>('POST', '/api/clusters/edge-eu/nodes', { node: nodes['web-1'].nodeId });
      expect(byId.body.message).toBe('node "web-1" is already in cluster "edge-eu"');
    });

    it('lets a node be in several clusters', async () => {
      expect((await operator.request('POST', '/api/clusters', { name: 'web' })).status).toBe(201);
      expect((await operator.request('POST', '/api/clusters/web/nodes', { node: 'web-1' })).status).toBe(201);
      expect((await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/web')).body.nodes.map((node) => node.name)).toEqual(['web-1']);
      expect((await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu')).body.nodeCount).toBe(3);
    });

    it('answers 404 naming the unknown cluster or node when adding', async () => {
      const noCluster = await operator.request<ErrorBody>('POST', '/api/clusters/nowhere/nodes', { node: 'web-1' });
      expect(noCluster.status).toBe(404);
      expect(noCluster.body.message).toBe('No cluster named "nowhere"');
      const noNode = await operator.request<ErrorBody>('POST', '/api/clusters/edge-eu/nodes', { node: 'ghost-node' });
      expect(noNode.status).toBe(404);
      expect(noNode.body.message).toBe('No node with id, name or id prefix "ghost-node"');
    });

    it('removes a node (204) and says which of cluster, node or membership is missing (404)', async () => {
      expect((await operator.request('DELETE', '/api/clusters/edge-eu/nodes/web-2')).status).toBe(204);
      expect((await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu')).body.nodes.map((node) => node.name)).toEqual(['db-1', 'web-1']);
      // The node itself stays.
      expect((await viewer.request('GET', '/api/nodes/web-2')).status).toBe(200);

      const notMember = await operator.request<ErrorBody>('DELETE', '/api/clusters/edge-eu/nodes/web-2');
      expect(notMember.status).toBe(404);
      expect(notMember.body.message).toBe('node "web-2" is not in cluster "edge-eu"');
      const noNode = await operator.request<ErrorBody>('DELETE', '/api/clusters/edge-eu/nodes/ghost-node');
      expect(noNode.status).toBe(404);
      expect(noNode.body.message).toBe('No node with id, name or id prefix "ghost-node"');
      const noCluster = await operator.request<ErrorBody>('DELETE', '/api/clusters/nowhere/nodes/web-1');
      expect(noCluster.status).toBe(404);
      expect(noCluster.body.message).toBe('No cluster named "nowhere"');
    });

    it('audits every change with who did it and to what', async () => {
      const audit = await admin.request<{ items: { actor: string; action: string; target: string }[] }>('GET', '/api/audit?limit=1000');
      const clusterEvents = audit.body.items.filter((event) => event.action.startsWith('cluster.')).reverse();
      expect(clusterEvents.map(({ action, target }) => `${action} ${target}`)).toEqual([
        'cluster.create edge-eu',
        'cluster.update edge-eu',
        'cluster.update edge-eu',
        'cluster.update edge-eu',
        'cluster.create batch',
        'cluster.delete batch',
        `cluster.node.add edge-eu: web-2 (${nodes['web-2'].nodeId})`,
        `cluster.node.add edge-eu: db-1 (${nodes['db-1'].nodeId})`,
        `cluster.node.add edge-eu: web-1 (${nodes['web-1'].nodeId})`,
        'cluster.create web',
        `cluster.node.add web: web-1 (${nodes['web-1'].nodeId})`,
        `cluster.node.remove edge-eu: web-2 (${nodes['web-2'].nodeId})`,
      ]);
      expect(clusterEvents[0].actor).toMatch(/^operator-/);
    });

    it('deleting a cluster leaves its nodes in place', async () => {
      expect((await operator.request('DELETE', '/api/clusters/web')).status).toBe(204);
      expect((await viewer.request('GET', '/api/nodes/web-1')).status).toBe(200);
      expect((await viewer.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu')).body.nodeCount).toBe(2);
    });
  });

  describe('roles and accounts', () => {
    it('lets a viewer read but not change anything (403), and changes nothing', async () => {
      expect((await viewer.request('GET', '/api/clusters')).status).toBe(200);
      expect((await viewer.request('GET', '/api/clusters/edge-eu')).status).toBe(200);
      const attempts: [string, string, object?][] = [
        ['POST', '/api/clusters', { name: 'viewer-made' }],
        ['PATCH', '/api/clusters/edge-eu', { description: 'by a viewer' }],
        ['DELETE', '/api/clusters/edge-eu'],
        ['POST', '/api/clusters/edge-eu/nodes', { node: 'web-2' }],
        ['DELETE', '/api/clusters/edge-eu/nodes/web-1'],
      ];
      for (const [method, path, body] of attempts) {
        const response = await viewer.request<ErrorBody>(method, path, body);
        expect({ method, path, status: response.status, code: response.body.code }).toEqual({ method, path, status: 403, code: 'forbidden' });
      }
      const detail = await admin.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu');
      expect({ description: detail.body.description, nodes: detail.body.nodes.map((node) => node.name) }).toEqual({
        description: 'Frankfurt and Paris',
        nodes: ['db-1', 'web-1'],
      });
      expect((await admin.request<ClusterResponse[]>('GET', '/api/clusters')).body.map((cluster) => cluster.name)).toEqual(['edge-eu']);
    });

    it("never shows another account's clusters, nodes or memberships: 404 naming what was asked for", async () => {
      const listed = await otherAdmin.request<ClusterResponse[]>('GET', '/api/clusters');
      expect(listed.body.map((cluster) => cluster.name)).toEqual(['other-private']);
      expect(JSON.stringify(listed.body)).not.toContain('edge-eu');

      const cases: [string, string, object?][] = [
        ['GET', '/api/clusters/edge-eu'],
        ['PATCH', '/api/clusters/edge-eu', { description: 'taken over' }],
        ['POST', '/api/clusters/edge-eu/nodes', { node: 'web-1' }],
        ['DELETE', '/api/clusters/edge-eu/nodes/web-1'],
        ['DELETE', '/api/clusters/edge-eu'],
      ];
      for (const [method, path, body] of cases) {
        const response = await otherAdmin.request<ErrorBody>(method, path, body);
        expect({ method, path, status: response.status, message: response.body.message }).toEqual({ method, path, status: 404, message: 'No cluster named "edge-eu"' });
      }

      // Account A cannot reach the other account's cluster or add its nodes, even by id.
      expect((await admin.request<ErrorBody>('GET', '/api/clusters/other-private')).body.message).toBe('No cluster named "other-private"');
      const foreignNode = await admin.request<ErrorBody>('POST', '/api/clusters/edge-eu/nodes', { node: nodes['other:secret-node'].nodeId });
      expect(foreignNode.status).toBe(404);
      expect(foreignNode.body.message).toBe(`No node with id, name or id prefix "${nodes['other:secret-node'].nodeId}"`);
      // A name both accounts use resolves in the caller's account.
      const sameName = await otherAdmin.request<ClusterDetailResponse>('POST', '/api/clusters/other-private/nodes', { node: 'web-1' });
      expect(sameName.status).toBe(201);
      expect(sameName.body.nodes).toEqual([expect.objectContaining({ id: nodes['other:web-1'].nodeId, name: 'web-1' })]);

      const detail = await admin.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu');
      expect({ description: detail.body.description, nodes: detail.body.nodes.map((node) => node.id) }).toEqual({
        description: 'Frankfurt and Paris',
        nodes: [nodes['db-1'].nodeId, nodes['web-1'].nodeId],
      });
    });
  });

  describe('validation', () => {
    it('refuses bad bodies with 400 naming the field, and changes nothing', async () => {
      const cases: [string, string, unknown, string][] = [
        ['POST', '/api/clusters', { name: 'Not Valid!' }, 'name'],
        ['POST', '/api/clusters', { name: 'x'.repeat(65) }, 'name'],
        ['POST', '/api/clusters', { description: 'no name' }, 'name'],
        ['POST', '/api/clusters', { name: 'ok-name', description: 'd'.repeat(501) }, 'description'],
        ['POST', '/api/clusters', { name: 'ok-name', colour: 'blue' }, '(root)'],
        ['PATCH', '/api/clusters/edge-eu', {}, 'description'],
        ['PATCH', '/api/clusters/edge-eu', { description: 42 }, 'description'],
        ['PATCH', '/api/clusters/edge-eu', { description: 'd'.repeat(501) }, 'description'],
        ['PATCH', '/api/clusters/edge-eu', { description: 'ok', name: 'renamed' }, '(root)'],
        ['POST', '/api/clusters/edge-eu/nodes', {}, 'node'],
        ['POST', '/api/clusters/edge-eu/nodes', { node: '' }, 'node'],
        ['POST', '/api/clusters/edge-eu/nodes', { node: 7 }, 'node'],
        ['POST', '/api/clusters/edge-eu/nodes', { node: 'web-2', cluster: 'other' }, '(root)'],
        ['POST', '/api/clusters/edge-eu/nodes', { node: 'a\u0000b' }, 'node'],
      ];
      for (const [method, path, body, field] of cases) {
        const response = await operator.request<ErrorBody>(method, path, body);
        expect({ method, path, body, status: response.status, code: response.body.code }).toEqual({ method, path, body, status: 400, code: 'validation_failed' });
        expect({ body, fields: response.body.issues?.map((issue) => issue.path) }).toEqual({ body, fields: expect.arrayContaining([field]) });
      }
      const detail = await admin.request<ClusterDetailResponse>('GET', '/api/clusters/edge-eu');
      expect({ description: detail.body.description, nodes: detail.body.nodes.map((node) => node.name) }).toEqual({
        description: 'Frankfurt and Paris',
        nodes: ['db-1', 'web-1'],
      });
      expect((await admin.request<ClusterResponse[]>('GET', '/api/clusters')).body.map((cluster) => cluster.name)).toEqual(['edge-eu']);
    });

    it('refuses a body that is not JSON with 400', async () => {
      const response = await fetch(`${hub.url}/api/clusters/edge-eu/nodes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json' },
        body: '{"node": ',
      });
      expect(response.status).toBe(400);
    });
  });
});
