import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LiveService } from '../core/live.service';
import { settleFully, signIn, textsOf } from '../core/testing';
import { FakeLive, fleetNode } from '../fleet/fleet-testing';
import { NodeDetailPage } from './node-detail-page';

describe('NodeDetailPage', () => {
  let http: HttpTestingController;
  let live: FakeLive;
  let fixture: ComponentFixture<NodeDetailPage>;
  const node = fleetNode('edge-1');
  const point = (minutesAgo: number, cpuPercent: number) => ({
    at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    cpuPercent,
    memoryUsedBytes: 2 * 1024 ** 3,
    diskUsedBytes: 50 * 1024 ** 3,
    containersRunning: 1,
  });

  beforeEach(() => {
    // jsdom draws nothing: a canvas without a context, as a browser without one would give.
    jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    signIn('operator');
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
  const request = (path: string): TestRequest => http.expectOne((candidate) => candidate.url === path);
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => textsOf(page(), selector);

  async function render(): Promise<void> {
    fixture = TestBed.createComponent(NodeDetailPage);
    fixture.componentRef.setInput('name', 'edge-1');
    fixture.detectChanges();
    request('/api/nodes/edge-1').flush(node);
    await settle();
    request('/api/nodes/edge-1/metrics').flush({ node: 'edge-1', resolution: 'raw', from: '', to: '', points: [point(2, 10), point(1, 30)], truncated: false });
    request('/api/nodes/edge-1/environments').flush({ node: 'edge-1', source: 'node', environments: [{ name: 'web', status: 'running', blueprint: 'node-dev', driver: 'process', ports: [8080] }] });
    const listing = { id: 'c0000000-0000-4000-8000-000000000009', kind: 'environment.list', state: 'succeeded', createdAt: new Date().toISOString(), createdBy: 'admin', output: '', error: null };
    request('/api/commands').flush({ items: [listing, { id: 'c0000000-0000-4000-8000-000000000001', kind: 'environment.up', state: 'succeeded', createdAt: new Date().toISOString(), createdBy: 'admin', output: 'set up web', error: null }], total: 2 });
    await settle();
  }

  it('shows the node, charts of its measurements, its environments and its recent commands with output (not its own questions)', async () => {
    await render();
    expect(text('h2')).toEqual(['edge-1']);
    expect(text('.facts dt')).toEqual(['Host', 'Platform', 'Agent', 'CPU', 'Memory', 'Storage', 'Containers', 'Identity']);
    expect(text('[data-identity]')).toEqual(['node credential: only its machine can register as it']);
    expect(text('figcaption')).toEqual(['CPU %', 'Memory used (GiB)', 'Storage used (GiB)']);
    expect(page().querySelector('canvas')?.getAttribute('aria-label')).toBe('CPU %: 2 points, average 20.0 %, highest 30.0 %');
    expect(text('tr[data-environment] td')).toEqual(['web', 'running', 'node-dev', 'process', '8080']);
    expect([text('.command .kind'), text('.command .state'), text('.command summary .muted')]).toEqual([['environment.up'], ['succeeded'], [expect.stringMatching(/^\d+s ago by admin$/)]]);
    expect(text('.command pre')).toEqual(['set up web']);
  });

  it('reads the range chosen, and follows new measurements live', async () => {
    await render();
    (page().querySelectorAll('.ranges button')[2] as HTMLButtonElement).click();
    const metrics = request('/api/nodes/edge-1/metrics');
    expect(Date.parse(metrics.request.params.get('to') ?? '') - Date.parse(metrics.request.params.get('from') ?? '')).toBe(7 * 86_400_000);
    metrics.flush({ node: 'edge-1', resolution: '1h', from: '', to: '', points: [], truncated: false });
    await settle();
    expect(text('[role=status]')).toContain('No measurements in the last 7d.');
    expect(page().querySelector('.ranges button[aria-pressed=true]')?.textContent).toBe('7d');

    live.push('nodes:sampled', [{ nodeId: node.id, at: new Date().toISOString(), cpuPercent: 88, memoryUsedBytes: 1, diskUsedBytes: 1, containersRunning: 5, environments: [] }]);
    fixture.detectChanges();
    expect(text('.facts dd')[3]).toBe('88%');
    live.push('node:status', { nodeId: node.id, name: 'edge-1', status: 'offline', lastSeenAt: new Date().toISOString() });
    fixture.detectChanges();
    expect(text('.page-header .status')).toEqual(['offline']);
  });

  it('deploys a blueprint and shows its steps as the node reports them', async () => {
    await render();
    (page().querySelector('.deploy button') as HTMLButtonElement).click();
    request('/api/nodes/edge-1/blueprints').flush({ node: 'edge-1', blueprints: [{ name: 'node-dev', description: 'Node.js', base: 'node:20', source: 'builtin', hasCommand: false }] });
    await settle();
    (page().querySelector('input[name=environment]') as HTMLInputElement).value = 'api-1';
    (page().querySelector('form.deploy') as HTMLFormElement).dispatchEvent(new Event('submit', { cancelable: true }));
    const up = request('/api/nodes/edge-1/up');
    expect(up.request.body).toEqual({ blueprint: 'node-dev', name: 'api-1' });
    up.flush({ id: 'c0000000-0000-4000-8000-000000000002', state: 'dispatched' });
    await settle();

    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-000000000002', kind: 'environment.up', nodeName: 'edge-1', state: 'running', step: { name: 'setup', status: 'done', at: new Date().toISOString() } });
    fixture.detectChanges();
    expect(text('.progress p')).toEqual(['Deploying api-1: running']);
    expect(text('.progress li')).toEqual(['setup: done']);

    // The page's own question to the node finishing does not send the page asking again.
    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-000000000003', kind: 'environment.list', nodeName: 'edge-1', state: 'succeeded', step: null });
    await settle();
    http.expectNone((candidate) => candidate.url === '/api/nodes/edge-1/environments');
  });

  it('offers viewers no deployment, which the hub would refuse them', async () => {
    signIn('viewer', 'eve');
    await render();
    expect(page().querySelector('form.deploy')).toBeNull();
  });

  it("resets the node's identity once confirmed, and renames it", async () => {
    await render();
    const button = (label: string) => [...page().querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === label) as HTMLButtonElement;
    button('Reset identity…').click();
    fixture.detectChanges();
    button('Reset identity of edge-1').click();
    const reset = request('/api/nodes/edge-1/reset-identity');
    expect(reset.request.method).toBe('POST');
    reset.flush({ ...node, identity: 'claimable' });
    await settle();
    expect(text('[data-identity]')).toEqual(['claimable: the next machine to register as it claims it']);
    expect(text('[role=status]')).toContain('The next machine to register as edge-1 claims it.');

    const input = page().querySelector('form[aria-label="Rename node"] input') as HTMLInputElement;
    input.value = 'edge-1';
    (page().querySelector('form[aria-label="Rename node"]') as HTMLFormElement).requestSubmit();
    const taken = request('/api/nodes/edge-1');
    expect([taken.request.method, taken.request.body]).toEqual(['PATCH', { name: 'edge-1' }]);
    taken.flush({ code: 'conflict', message: 'Another node is already named "edge-1"' }, { status: 409, statusText: 'Conflict' });
    await settle();
    expect(text('.identity [role=alert]')).toEqual(['Another node is already named "edge-1"']);
  });

  it('keeps the last hour to an hour as measurements arrive', async () => {
    await render();
    const old = { ...point(61, 5) };
    live.push('nodes:sampled', [{ nodeId: node.id, at: old.at, cpuPercent: 5, memoryUsedBytes: 1, diskUsedBytes: 1, containersRunning: 0, environments: [] }]);
    live.push('nodes:sampled', [{ nodeId: node.id, at: new Date().toISOString(), cpuPercent: 70, memoryUsedBytes: 1, diskUsedBytes: 1, containersRunning: 0, environments: [] }]);
    fixture.detectChanges();
    // The two from the hub's answer and the newest: the one older than an hour fell out.
    expect(page().querySelector('canvas')?.getAttribute('aria-label')).toBe('CPU %: 3 points, average 36.7 %, highest 70.0 %');
  });

  it('says so when the node does not exist', async () => {
    fixture = TestBed.createComponent(NodeDetailPage);
    fixture.componentRef.setInput('name', 'ghost');
    fixture.detectChanges();
    request('/api/nodes/ghost').flush({ statusCode: 404, code: 'not_found', message: 'No node named "ghost"' }, { status: 404, statusText: 'Not Found' });
    await settle();
    expect(text('[role=alert]')).toEqual(['No node named "ghost"']);
  });
});
