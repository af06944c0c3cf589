import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LiveService } from '../core/live.service';
import { FleetPage } from './fleet-page';
import { FakeLive, fleetNode } from './fleet-testing';

describe('FleetPage', () => {
  let http: HttpTestingController;
  let live: FakeLive;

  beforeEach(() => {
    live = new FakeLive();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveService, useValue: live }] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  async function render(nodes: unknown, status = 200) {
    const fixture = TestBed.createComponent(FleetPage);
    fixture.detectChanges();
    const request = http.expectOne((candidate) => candidate.url === '/api/nodes');
    if (status === 200) {
      request.flush(nodes);
      await new Promise((resolve) => setTimeout(resolve, 0));
      http.expectOne('/api/clusters').flush([{ id: '20000000-0000-4000-8000-000000000001', name: 'edge', description: '', nodeCount: 0 }]);
    } else {
      request.flush(nodes, { status, statusText: 'Error' });
    }
    await fixture.whenStable();
    fixture.detectChanges();
    return { fixture, page: fixture.nativeElement as HTMLElement };
  }

  const text = (page: HTMLElement, selector: string) => [...page.querySelectorAll(selector)].map((element) => element.textContent?.trim());

  it('counts the fleet, offers search, status and cluster filters with labels, and sortable columns', async () => {
    const { fixture, page } = await render({ items: [fleetNode('alpha'), fleetNode('beta', 'offline')], total: 2, limit: 1000, offset: 0 });
    expect(text(page, '.count')).toEqual(['1 online', '1 offline', '2 total']);
    expect(text(page, '.toolbar label').map((label) => label?.split(/\s/)[0])).toEqual(['Search', 'Status', 'Cluster']);
    expect(text(page, '.toolbar select[name=cluster] option')).toEqual(['All clusters', 'edge']);
    expect(text(page, '[role=columnheader]')).toEqual(['Node ▲', 'Status', 'CPU', 'Memory', 'Storage', 'Containers', 'Environments', 'Agent']);
    expect(page.querySelector('[role=columnheader][aria-sort=ascending]')?.textContent).toContain('Node');

    (page.querySelectorAll('[role=columnheader] button')[2] as HTMLButtonElement).click();
    fixture.detectChanges();
    expect(page.querySelector('[role=columnheader][aria-sort=ascending]')?.textContent).toContain('CPU');
    expect(page.querySelector('.live')?.textContent?.trim()).toBe('Live');

    live.state.set('reconnecting');
    fixture.detectChanges();
    expect(page.querySelector('.live')?.textContent?.trim()).toBe('Reconnecting…');
    fixture.destroy();
  });

  it('explains how to add a node when there are none', async () => {
    const { fixture, page } = await render({ items: [], total: 0, limit: 1000, offset: 0 });
    expect(page.querySelector('.empty')?.textContent).toContain('thresh agent start');
    expect(page.querySelector('[role=table]')).toBeNull();
    fixture.destroy();
  });

  it('shows the hub’s error message', async () => {
    const { fixture, page } = await render({ statusCode: 403, code: 'forbidden', message: 'This action needs the role admin' }, 403);
    expect(page.querySelector('[role=alert]')?.textContent).toContain('This action needs the role admin');
    fixture.destroy();
  });
});
