import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LiveService } from '../../core/live.service';
import { settleFully, signIn, textsOf } from '../../core/testing';
import { FakeLive } from '../../fleet/fleet-testing';
import { hubError, stackSummary } from '../stacks-testing';
import { StackListPage } from './stack-list-page';

describe('StackListPage', () => {
  let http: HttpTestingController;
  let live: FakeLive;
  let fixture: ComponentFixture<StackListPage>;

  function configure(role: 'admin' | 'operator' | 'viewer' = 'operator') {
    signIn(role);
    live = new FakeLive();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveService, useValue: live }],
    });
    http = TestBed.inject(HttpTestingController);
  }

  afterEach(() => {
    fixture?.destroy();
    http.verify();
  });

  const settle = () => settleFully(fixture);
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => textsOf(page(), selector);

  async function render(answer: unknown, error?: ReturnType<typeof hubError>) {
    fixture = TestBed.createComponent(StackListPage);
    fixture.detectChanges();
    expect(text('[role=status]')).toEqual(['Loading stacks…']);
    const request = http.expectOne('/api/stacks');
    if (error) request.flush(error.body, error.options);
    else request.flush(answer);
    await settle();
  }

  it('lists each stack with its status, healthy services, node and last update, linking to it', async () => {
    configure();
    await render([stackSummary('hello-stack'), stackSummary('shop', { status: 'degraded', healthy: 2, node: 'edge-2' }), stackSummary('old', { status: 'stopped', healthy: 0, node: null })]);
    expect(text('th')).toEqual(['Name', 'Status', 'Healthy', 'Node', 'Updated']);
    const rows = [...page().querySelectorAll('tbody tr')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()));
    expect(rows).toEqual([
      ['hello-stack', 'running', '3/3', 'edge-1', expect.stringMatching(/^\d+s ago$/)],
      ['shop', 'degraded', '2/3', 'edge-2', expect.stringMatching(/^\d+s ago$/)],
      ['old', 'stopped', '0/3', '-', expect.stringMatching(/^\d+s ago$/)],
    ]);
    expect(page().querySelector('tr[data-stack=shop] .status')?.classList.contains('degraded')).toBe(true);
    expect(page().querySelector('tr[data-stack=shop] .healthy')?.getAttribute('aria-label')).toBe('2 of 3 services healthy');
    expect(page().querySelector('tr[data-stack=shop] a')?.getAttribute('href')).toBe('/stacks/shop');
    const deploy = page().querySelector<HTMLAnchorElement>('a.primary');
    expect([deploy?.textContent?.trim(), deploy?.getAttribute('href')]).toEqual(['Deploy new stack', '/stacks/deploy']);
  });

  it('explains what a stack is, and links to deploy one, when there are none', async () => {
    configure();
    await render([]);
    const empty = page().querySelector('.empty[role=status]');
    expect(empty?.textContent).toContain('A stack is several services deployed together to one node');
    expect(empty?.querySelector('a')?.getAttribute('href')).toBe('/stacks/deploy');
    expect(page().querySelector('table')).toBeNull();
  });

  it('offers viewers no deploy', async () => {
    configure('viewer');
    await render([]);
    expect(page().querySelector('a[href="/stacks/deploy"]')).toBeNull();
    expect(page().querySelector('.empty')?.textContent).toContain('An operator or an admin can deploy one');
  });

  it('reads the list again as a stack’s deploy reports progress', async () => {
    configure();
    await render([stackSummary('hello-stack', { status: 'deploying', healthy: 1 })]);
    expect(text('tbody td.healthy')).toEqual(['1/3']);

    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-000000000001', kind: 'environment.list', nodeName: 'edge-1', state: 'succeeded', step: null });
    http.expectNone('/api/stacks');

    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-000000000002', kind: 'stack.deploy', nodeName: 'edge-1', state: 'succeeded', step: null });
    http.expectOne('/api/stacks').flush([stackSummary('hello-stack', { status: 'running', healthy: 3 })]);
    await settle();
    expect(text('tbody .status')).toEqual(['running']);
    expect(text('tbody td.healthy')).toEqual(['3/3']);
  });

  it('shows the hub’s error message', async () => {
    configure();
    await render(null, hubError(403, 'forbidden', 'This action needs the role admin'));
    expect(text('[role=alert]')).toEqual(['This action needs the role admin']);
    expect(page().querySelector('[role=status]')).toBeNull();
  });
});
