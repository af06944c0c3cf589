import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ClusterDetailResponse, NodeResponse, UserRole } from '@thresh/protocol';
import { LiveService } from '../core/live.service';
import { FakeLive, fleetNode } from '../fleet/fleet-testing';
import { ClusterPage } from './cluster-page';
import { settleFully, signIn, textsOf } from '../core/testing';
import { clusterDetail, member } from './clusters-testing';

describe('ClusterPage', () => {
  let http: HttpTestingController;
  let live: FakeLive;
  let fixture: ComponentFixture<ClusterPage>;
  const web1 = fleetNode('web-1');
  const web2 = fleetNode('web-2', 'offline', { lastSeenAt: new Date(Date.now() - 3 * 3600_000).toISOString() });
  const db1 = fleetNode('db-1');
  const api1 = fleetNode('api-1', 'offline');
  const edge = (nodes: NodeResponse[] = [web2, web1], description = 'Web servers in Paris') => clusterDetail('edge', nodes.map(member), { description });

  beforeEach(() => {
    localStorage.clear();
    live = new FakeLive();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveService, useValue: live }] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    fixture?.destroy();
    http.verify();
    localStorage.clear();
  });

  const settle = () => settleFully(fixture);
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => textsOf(page(), selector);
  const element = <T extends Element>(selector: string): T => {
    const found = page().querySelector<T>(selector);
    if (!found) throw new Error(`nothing matches ${selector}`);
    return found;
  };
  const request = (method: string, url: string): TestRequest => http.expectOne((candidate) => candidate.method === method && candidate.url === url);
  const hubError = (status: number, code: string, message: string) => [{ statusCode: status, code, message }, { status, statusText: code }] as const;
  const submit = (selector: string) => element<HTMLFormElement>(selector).dispatchEvent(new Event('submit', { cancelable: true }));

  async function render(role: UserRole, detail: ClusterDetailResponse = edge(), account: NodeResponse[] = [web1, web2, db1, api1]): Promise<void> {
    signIn(role, role);
    fixture = TestBed.createComponent(ClusterPage);
    fixture.componentRef.setInput('name', 'edge');
    fixture.detectChanges();
    expect(text('[role=status]')).toEqual(['Loading edge…']);
    request('GET', '/api/clusters/edge').flush(detail);
    await settle();
    if (role !== 'viewer') {
      const nodes = request('GET', '/api/nodes');
      expect(nodes.request.params.get('limit')).toBe('1000');
      nodes.flush({ items: account, total: account.length, limit: 1000, offset: 0 });
      await settle();
    }
  }

  it('shows the cluster, its nodes by name with their status and when they were last seen', async () => {
    await render('operator');
    expect(text('.crumbs')).toEqual(['Clusters / edge']);
    expect(element('.crumbs a').getAttribute('href')).toBe('/clusters');
    expect(text('h2')).toEqual(['edge']);
    expect(text('.description')).toEqual(['Web servers in Paris']);
    expect(text('.count')).toEqual(['1 online', '1 offline', '2 nodes']);
    expect(text('.live')).toEqual(['Live']);
    expect(text('thead th')).toEqual(['Node', 'Status', 'Last seen', 'Actions']);
    expect(text('tbody tr td:not(.actions)')).toEqual(['web-1', 'online', expect.stringMatching(/^\d+s ago$/), 'web-2', 'offline', '3h ago']);
    expect(element('tr[data-node=web-1] a').getAttribute('href')).toBe('/nodes/web-1');
    expect(element('tr[data-node=web-2] button.remove').getAttribute('aria-label')).toBe('Remove web-2 from edge');
  });

  it('follows the nodes’ status live', async () => {
    await render('admin');
    const seen = new Date().toISOString();
    live.push('node:status', { nodeId: web2.id, name: 'web-2', status: 'online', lastSeenAt: seen });
    fixture.detectChanges();
    expect(text('tr[data-node=web-2] .status')).toEqual(['online']);
    expect(element('tr[data-node=web-2] .seen').getAttribute('title')).toBe(seen);
    expect(text('.count')).toEqual(['2 online', '0 offline', '2 nodes']);

    const sampled = new Date(Date.now() + 1000).toISOString();
    live.push('nodes:sampled', [{ nodeId: web2.id, at: sampled, cpuPercent: 5, memoryUsedBytes: 1, diskUsedBytes: 1, containersRunning: 0, environments: [] }]);
    fixture.detectChanges();
    expect(element('tr[data-node=web-2] .seen').getAttribute('title')).toBe(sampled);

    live.push('node:status', { nodeId: web1.id, name: 'web-1', status: 'offline', lastSeenAt: seen });
    fixture.detectChanges();
    expect(text('tr[data-node=web-1] .status')).toEqual(['offline']);

    // A node of another cluster changes nothing here; a pruned member leaves it.
    live.push('node:status', { nodeId: db1.id, name: 'db-1', status: 'offline', lastSeenAt: seen });
    live.push('node:status', { nodeId: web1.id, name: 'web-1', status: 'pruned', lastSeenAt: null });
    fixture.detectChanges();
    expect(text('tbody a')).toEqual(['web-2']);
    expect(text('.count')).toEqual(['1 online', '0 offline', '1 node']);

    live.state.set('reconnecting');
    fixture.detectChanges();
    expect(text('.live')).toEqual(['Reconnecting…']);
  });

  it('edits the description', async () => {
    await render('operator');
    element<HTMLButtonElement>('button.edit-description').click();
    fixture.detectChanges();
    const textarea = element<HTMLTextAreaElement>('form.edit textarea[name=description]');
    expect(text('form.edit label')[0]).toContain('Description');
    expect(textarea.value).toBe('Web servers in Paris');
    expect(document.activeElement).toBe(textarea);

    textarea.value = 'Web servers in Lyon ';
    submit('form.edit');
    const patch = request('PATCH', '/api/clusters/edge');
    expect(patch.request.body).toEqual({ description: 'Web servers in Lyon' });
    patch.flush(edge(undefined, 'Web servers in Lyon'));
    await settle();
    expect(page().querySelector('form.edit')).toBeNull();
    expect(text('.description')).toEqual(['Web servers in Lyon']);
    expect(text('.notice')).toEqual(['Description saved.']);
  });

  it('shows why a description was refused, and cancels an edit', async () => {
    await render('admin');
    element<HTMLButtonElement>('button.edit-description').click();
    fixture.detectChanges();
    submit('form.edit');
    request('PATCH', '/api/clusters/edge').flush(...hubError(403, 'forbidden', 'This action needs the role admin or operator'));
    await settle();
    expect(text('form.edit [role=alert]')).toEqual(['This action needs the role admin or operator']);

    [...page().querySelectorAll<HTMLButtonElement>('form.edit button')].find((candidate) => candidate.textContent?.trim() === 'Cancel')?.click();
    fixture.detectChanges();
    expect(page().querySelector('form.edit')).toBeNull();
    expect(text('.description')).toEqual(['Web servers in Paris']);
    expect(document.activeElement?.textContent?.trim()).toBe('Edit description');
  });

  it('offers the account’s nodes that are not in the cluster, and adds the one chosen', async () => {
    await render('operator');
    expect(text('form.add label')[0]).toContain('Node');
    expect(text('form.add select option')).toEqual(['Choose a node…', 'api-1 (offline)', 'db-1 (online)']);

    element<HTMLSelectElement>('form.add select').value = db1.id;
    submit('form.add');
    const add = request('POST', '/api/clusters/edge/nodes');
    expect(add.request.body).toEqual({ node: db1.id });
    add.flush(edge([web1, web2, db1]));
    await settle();
    expect(text('tbody a')).toEqual(['db-1', 'web-1', 'web-2']);
    expect(text('form.add select option')).toEqual(['Choose a node…', 'api-1 (offline)']);
    expect(text('.notice')).toEqual(['db-1 added to edge.']);

    // A node that registers while the page is open can be added at once.
    live.push('node:status', { nodeId: '00000000-0000-4000-8000-999999999999', name: 'cache-1', status: 'online', lastSeenAt: new Date().toISOString() });
    fixture.detectChanges();
    expect(text('form.add select option')).toEqual(['Choose a node…', 'api-1 (offline)', 'cache-1 (online)']);
  });

  it('asks for a node before adding, and shows the hub’s reason when it refuses one', async () => {
    await render('admin');
    submit('form.add');
    fixture.detectChanges();
    http.expectNone((candidate) => candidate.method === 'POST');
    expect(text('form.add [role=alert]')).toEqual(['Choose a node to add.']);

    element<HTMLSelectElement>('form.add select').value = api1.id;
    submit('form.add');
    request('POST', '/api/clusters/edge/nodes').flush(...hubError(409, 'conflict', 'node "api-1" is already in cluster "edge"'));
    await settle();
    expect(text('form.add [role=alert]')).toEqual(['node "api-1" is already in cluster "edge"']);
  });

  it('says when every node of the account is in the cluster already', async () => {
    await render('operator', edge([web1]), [web1]);
    expect(page().querySelector('form.add select')).toBeNull();
    expect(text('form.add [role=status]')).toEqual(['Every node of the account is already in this cluster.']);
  });

  it('explains how to get a first node', async () => {
    await render('operator', edge([]), []);
    expect(text('.empty p')).toEqual(['No nodes in this cluster yet.', 'Choose one of the account\'s nodes below and add it.']);
    expect(text('form.add [role=status]')[0]).toContain('thresh agent start');
  });

  it('removes a node from the cluster', async () => {
    await render('admin');
    element<HTMLButtonElement>('tr[data-node=web-2] button.remove').click();
    fixture.detectChanges();
    expect(text('tr[data-node=web-2] button.remove')).toEqual(['Removing…']);
    request('DELETE', `/api/clusters/edge/nodes/${web2.id}`).flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(text('tbody a')).toEqual(['web-1']);
    expect(text('.notice')).toEqual(['web-2 removed from edge. The node stays in the fleet.']);
    expect(text('form.add select option')).toEqual(['Choose a node…', 'api-1 (offline)', 'db-1 (online)', 'web-2 (offline)']);
  });

  it('shows why a node could not be removed', async () => {
    await render('admin');
    element<HTMLButtonElement>('tr[data-node=web-1] button.remove').click();
    request('DELETE', `/api/clusters/edge/nodes/${web1.id}`).flush(...hubError(404, 'not_found', 'node "web-1" is not in cluster "edge"'));
    await settle();
    expect(text('[role=alert]')).toEqual(['node "web-1" is not in cluster "edge"']);
    expect(text('tbody a')).toEqual(['web-1', 'web-2']);
  });

  it('shows viewers the cluster read-only, without asking for the account’s nodes', async () => {
    await render('viewer');
    expect(text('tbody a')).toEqual(['web-1', 'web-2']);
    expect(text('thead th')).toEqual(['Node', 'Status', 'Last seen']);
    expect(page().querySelector('button')).toBeNull();
    expect(page().querySelector('form')).toBeNull();
    http.expectNone((candidate) => candidate.url === '/api/nodes');
  });

  it('tells a viewer an empty cluster is for an admin or operator to fill', async () => {
    await render('viewer', edge([], ''));
    expect(text('.description')).toEqual(['No description.']);
    expect(text('.empty p')).toEqual(['No nodes in this cluster yet.', 'An admin or an operator can add nodes to it.']);
  });

  it('says so when the cluster does not exist', async () => {
    signIn('admin', 'admin');
    fixture = TestBed.createComponent(ClusterPage);
    fixture.componentRef.setInput('name', 'ghost');
    fixture.detectChanges();
    request('GET', '/api/clusters/ghost').flush(...hubError(404, 'not_found', 'No cluster named "ghost"'));
    await settle();
    expect(text('[role=alert]')).toEqual(['No cluster named "ghost"']);
    expect(page().querySelector('h2')).toBeNull();
  });
});
