import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { NodeResponse } from '@thresh/protocol';
import { NodesPage } from './nodes-page';

const node = (name: string, status: 'online' | 'offline'): NodeResponse => ({
  id: `00000000-0000-4000-8000-00000000000${name.length}`,
  agentId: `10000000-0000-4000-8000-00000000000${name.length}`,
  name,
  hostname: name,
  status,
  lastSeenAt: new Date(Date.now() - 5000).toISOString(),
  platform: 'linux',
  arch: 'x64',
  agentVersion: '0.1.0',
  cpuCores: 8,
  memoryTotalBytes: 16 * 1024 ** 3,
  diskTotalBytes: 512 * 1024 ** 3,
  registeredAt: new Date().toISOString(),
  cpuPercent: status === 'online' ? 12.4 : null,
  memoryUsedBytes: status === 'online' ? 4 * 1024 ** 3 : null,
  diskUsedBytes: status === 'online' ? 100 * 1024 ** 3 : null,
  containersRunning: status === 'online' ? 3 : null,
  environments: [],
  lastSampleAt: null,
});

describe('NodesPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  async function render(response: unknown, status = 200) {
    const fixture = TestBed.createComponent(NodesPage);
    fixture.detectChanges();
    const request = http.expectOne((candidate) => candidate.url === '/api/nodes');
    if (status === 200) request.flush(response);
    else request.flush(response, { status, statusText: 'Error' });
    await fixture.whenStable();
    fixture.detectChanges();
    fixture.destroy();
    return fixture.nativeElement as HTMLElement;
  }

  it('lists each node with status, platform, sizes and version, and counts them', async () => {
    const page = await render({ items: [node('alpha', 'online'), node('beta-01', 'offline')], total: 2, limit: 1000, offset: 0 });
    const rows = [...page.querySelectorAll('tbody tr')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()));
    expect(rows).toEqual([
      ['alpha', 'online', '5s ago', 'linux/x64', '12%', '4.0 GiB / 16.0 GiB', '100 GiB / 512 GiB', '3', '0.1.0'],
      ['beta-01', 'offline', '5s ago', 'linux/x64', '-', '- / 16.0 GiB', '- / 512 GiB', '-', '0.1.0'],
    ]);
    expect([...page.querySelectorAll('.count')].map((count) => count.textContent?.trim())).toEqual(['1 online', '1 offline', '2 total']);
  });

  it('explains how to add a node when there are none', async () => {
    const page = await render({ items: [], total: 0, limit: 1000, offset: 0 });
    expect(page.querySelector('.empty')?.textContent).toContain('thresh agent start');
    expect(page.querySelector('table')).toBeNull();
  });

  it('shows the hub’s error message', async () => {
    const page = await render({ statusCode: 403, code: 'forbidden', message: 'This action needs the role admin' }, 403);
    expect(page.querySelector('[role=alert]')?.textContent).toContain('This action needs the role admin');
  });
});
