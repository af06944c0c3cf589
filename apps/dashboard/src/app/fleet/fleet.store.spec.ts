import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { NodeResponse } from '@thresh/protocol';
import { LiveService } from '../core/live.service';
import { FleetStore } from './fleet.store';
import { FakeLive, fleetNode } from './fleet-testing';

describe('FleetStore', () => {
  let http: HttpTestingController;
  let live: FakeLive;
  let store: FleetStore;

  beforeEach(() => {
    live = new FakeLive();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), FleetStore, { provide: LiveService, useValue: live }] });
    http = TestBed.inject(HttpTestingController);
    store = TestBed.inject(FleetStore);
  });

  afterEach(() => http.verify());

  /** Has the store read the fleet, answering its requests as the hub would. */
  async function load(nodes: NodeResponse[], clusters: unknown[] = []): Promise<void> {
    const loading = store.load();
    await answer(nodes, clusters);
    await loading;
  }

  /** Answers the list of nodes page by page (1,000 a page, as the store asks), then the clusters. */
  async function answer(nodes: NodeResponse[], clusters: unknown[] = []): Promise<void> {
    for (let offset = 0; offset === 0 || offset < nodes.length; offset += 1000) {
      const request = await waitForRequest((candidate) => candidate.url === '/api/nodes' && candidate.params.get('offset') === String(offset));
      request.flush({ items: nodes.slice(offset, offset + 1000), total: nodes.length, limit: 1000, offset });
    }
    (await waitForRequest((candidate) => candidate.url === '/api/clusters')).flush(clusters);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  async function waitForRequest(match: Parameters<HttpTestingController['match']>[0]) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const [request] = http.match(match);
      if (request) return request;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    throw new Error('the request never came');
  }

  const names = () => store.visible().map((node) => node.name);

  it('reads every page of a large fleet and counts it', async () => {
    const nodes = Array.from({ length: 2500 }, (_, index) => fleetNode(`node-${String(index).padStart(4, '0')}`, index % 5 === 0 ? 'offline' : 'online'));
    await load(nodes);
    expect(store.counts()).toEqual({ online: 2000, offline: 500, total: 2500 });
    expect(names().slice(0, 2)).toEqual(['node-0000', 'node-0001']);
  });

  it('filters by status and by name or host, and sorts by a column either way', async () => {
    await load([fleetNode('web-1', 'online', { cpuPercent: 80 }), fleetNode('web-2', 'online', { cpuPercent: 5 }), fleetNode('db-1', 'offline')]);
    store.update({ status: 'online' });
    expect(names()).toEqual(['web-1', 'web-2']);
    store.sortBy('cpu');
    expect(names()).toEqual(['web-2', 'web-1']);
    store.sortBy('cpu');
    expect(names()).toEqual(['web-1', 'web-2']);
    store.update({ status: 'all', search: 'DB-1.EXAMPLE' });
    expect(names()).toEqual(['db-1']);
  });

  it('shows only the members of the cluster chosen', async () => {
    const [web, db] = [fleetNode('web-1'), fleetNode('db-1')];
    await load([web, db], [{ id: '20000000-0000-4000-8000-000000000001', name: 'edge', description: '', nodeCount: 1 }]);
    store.update({ cluster: 'edge' });
    (await waitForRequest('/api/clusters/edge')).flush({ name: 'edge', nodes: [{ id: web.id, name: web.name, status: 'online', lastSeenAt: null }] });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(names()).toEqual(['web-1']);
    store.update({ cluster: null });
    expect(names()).toEqual(['db-1', 'web-1']);

    // Another cluster: nothing of the previous one shows under its name, and a refusal clears the filter.
    store.update({ cluster: 'gone' });
    expect(names()).toEqual([]);
    (await waitForRequest('/api/clusters/gone')).flush({ statusCode: 404, code: 'not_found', message: 'No cluster named "gone"' }, { status: 404, statusText: 'Not Found' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([store.error(), store.query().cluster, names()]).toEqual(['No cluster named "gone"', null, ['db-1', 'web-1']]);
  });

  it('follows the hub live: status changes, new measurements, pruned nodes, and nodes it did not know', async () => {
    const [web, db] = [fleetNode('web-1'), fleetNode('db-1')];
    await load([web, db]);

    live.push('node:status', { nodeId: web.id, name: web.name, status: 'offline', lastSeenAt: '2026-11-27T10:00:00.000Z' });
    live.push('nodes:sampled', [{ nodeId: db.id, at: '2026-11-27T10:00:01.000Z', cpuPercent: 77, memoryUsedBytes: 1, diskUsedBytes: 2, containersRunning: 4, environments: [{ name: 'api', status: 'running' }] }]);
    expect(store.counts()).toEqual({ online: 1, offline: 1, total: 2 });
    expect(store.visible().find((node) => node.name === 'db-1')).toEqual(expect.objectContaining({ cpuPercent: 77, containersRunning: 4, environments: [{ name: 'api', status: 'running' }] }));

    live.push('node:status', { nodeId: db.id, name: db.name, status: 'pruned', lastSeenAt: null });
    expect(names()).toEqual(['web-1']);

    // A node that registered after the list was read: that node alone is read.
    const newcomer = fleetNode('new-1');
    live.push('node:status', { nodeId: newcomer.id, name: 'new-1', status: 'online', lastSeenAt: null });
    live.push('node:status', { nodeId: newcomer.id, name: 'new-1', status: 'online', lastSeenAt: null });
    (await waitForRequest(`/api/nodes/${newcomer.id}`)).flush(newcomer);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(names()).toEqual(['new-1', 'web-1']);
  });

  it('applies what the hub pushed while the list was being read, once it is in', async () => {
    const web = fleetNode('web-1');
    const loading = store.load();
    live.push('node:status', { nodeId: web.id, name: web.name, status: 'offline', lastSeenAt: '2026-11-27T10:00:00.000Z' });
    await answer([web]);
    await loading;
    expect(store.visible()).toEqual([expect.objectContaining({ name: 'web-1', status: 'offline' })]);
  });

  it('says what went wrong when the list cannot be read', async () => {
    const loading = store.load();
    (await waitForRequest((candidate) => candidate.url === '/api/nodes')).flush({ statusCode: 403, code: 'forbidden', message: 'This action needs the role admin' }, { status: 403, statusText: 'Forbidden' });
    await loading;
    expect(store.error()).toBe('This action needs the role admin');
    expect(store.loaded()).toBe(false);
  });
});
