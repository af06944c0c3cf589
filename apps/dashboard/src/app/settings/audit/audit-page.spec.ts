import { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AuditEvent } from '@thresh/protocol';
import { signIn } from '../../core/testing';
import { auditEvent, buttonNamed, settle, setUpSettingsPage } from '../settings-testing';
import { AUDIT_PAGE_SIZE, AuditPage } from './audit-page';

describe('AuditPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = setUpSettingsPage();
  });

  afterEach(() => http.verify());

  const auditRequest = () => http.expectOne((request) => request.method === 'GET' && request.url === '/api/audit');
  const params = (request: TestRequest) => Object.fromEntries(request.request.params.keys().map((key) => [key, request.request.params.get(key)]));

  async function render(items: AuditEvent[], total = items.length) {
    signIn('admin');
    const fixture = TestBed.createComponent(AuditPage);
    fixture.detectChanges();
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[role=status]')?.textContent).toContain('Loading the audit log');
    const request = auditRequest();
    expect(params(request)).toEqual({ limit: String(AUDIT_PAGE_SIZE), offset: '0' });
    request.flush({ items, total });
    await settle(fixture);
    return { fixture, page };
  }

  it('renders events newest first with actor, action, target, source, time and collapsed details', async () => {
    const { fixture, page } = await render([
      auditEvent('key.rotate', {
        id: '2',
        actor: 'root',
        target: 'thresh_live_default_abcd (40000000-0000-4000-8000-000000000001)',
        sourceAddress: '192.0.2.10',
        at: '2026-01-03T10:00:00.000Z',
        details: { successor: 'k2', oldStopsAt: '2026-01-04T10:00:00.000Z' },
      }),
      auditEvent('auth.login_failed', { id: '1', actor: 'mallory', sourceAddress: null, at: '2026-01-02T10:00:00.000Z' }),
    ]);
    expect([...page.querySelectorAll('th')].map((th) => th.textContent?.trim())).toEqual(['Time', 'Actor', 'Action', 'Target', 'Source address', 'Details']);
    const rows = [...page.querySelectorAll('tbody tr')];
    expect(rows.map((row) => [...row.querySelectorAll('td')].slice(1, 5).map((cell) => cell.textContent?.trim()))).toEqual([
      ['root', 'key.rotate', 'thresh_live_default_abcd (40000000-0000-4000-8000-000000000001)', '192.0.2.10'],
      ['mallory', 'auth.login_failed', '-', '-'],
    ]);
    expect(rows[0].querySelector('time')?.getAttribute('datetime')).toBe('2026-01-03T10:00:00.000Z');
    const details = rows[0].querySelector('details');
    expect(details?.open).toBe(false);
    expect(details?.querySelector('summary')?.textContent).toBe('successor, oldStopsAt');
    expect(JSON.parse(details?.querySelector('pre')?.textContent ?? '{}')).toEqual({ successor: 'k2', oldStopsAt: '2026-01-04T10:00:00.000Z' });
    expect(rows[1].querySelector('details')).toBeNull();
    expect(page.querySelector('.count')?.textContent).toContain('Showing 2 of 2 events');
    expect(page.querySelector('.older')).toBeNull();
    fixture.destroy();
  });

  it('asks for the next page with "Older" and appends it', async () => {
    const first = Array.from({ length: AUDIT_PAGE_SIZE }, (_, index) => auditEvent('auth.login', { id: `n${index}` }));
    const { fixture, page } = await render(first, AUDIT_PAGE_SIZE + 2);
    expect(page.querySelector('.count')?.textContent).toContain(`Showing ${AUDIT_PAGE_SIZE} of ${AUDIT_PAGE_SIZE + 2} events`);

    buttonNamed(page, 'Older').click();
    fixture.detectChanges();
    expect(page.querySelector<HTMLButtonElement>('.older')?.disabled).toBe(true);
    const request = auditRequest();
    expect(params(request)).toEqual({ limit: String(AUDIT_PAGE_SIZE), offset: String(AUDIT_PAGE_SIZE) });
    // One event shifted by a newer one comes again: it is shown once.
    request.flush({ items: [first[AUDIT_PAGE_SIZE - 1], auditEvent('auth.logout', { id: 'o1' }), auditEvent('auth.logout', { id: 'o2' })], total: AUDIT_PAGE_SIZE + 3 });
    await settle(fixture);
    expect(page.querySelectorAll('tbody tr')).toHaveLength(AUDIT_PAGE_SIZE + 2);
    expect(page.querySelector('tbody tr:last-child')?.getAttribute('data-event')).toBe('o2');
    // A short page is the beginning of the log, though the total grew meanwhile: no "Older" that would find nothing.
    expect(page.querySelector('.older')).toBeNull();
    fixture.destroy();
  });

  it('filters by action, actor and time, and pages within the filters', async () => {
    const { fixture, page } = await render([auditEvent('auth.login')], 1);
    const form = page.querySelector<HTMLFormElement>('form[role=search]');
    if (!form) throw new Error('no filter form');
    expect([...form.querySelectorAll('label')].map((label) => label.firstChild?.textContent?.trim())).toEqual(['Action', 'Actor', 'Since', 'Until']);
    (form.querySelector('[name=action]') as HTMLSelectElement).value = 'auth.login_failed';
    (form.querySelector('[name=actor]') as HTMLInputElement).value = ' mallory ';
    (form.querySelector('[name=since]') as HTMLInputElement).value = '2026-01-01T00:00';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    const request = auditRequest();
    expect(params(request)).toEqual({
      limit: String(AUDIT_PAGE_SIZE),
      offset: '0',
      action: 'auth.login_failed',
      actor: 'mallory',
      since: new Date('2026-01-01T00:00').toISOString(),
    });
    request.flush({ items: Array.from({ length: AUDIT_PAGE_SIZE }, (_, index) => auditEvent('auth.login_failed', { id: `f${index}` })), total: 60 });
    await settle(fixture);

    buttonNamed(page, 'Older').click();
    const next = auditRequest();
    expect(params(next)).toEqual(expect.objectContaining({ action: 'auth.login_failed', actor: 'mallory', offset: String(AUDIT_PAGE_SIZE) }));
    next.flush({ items: [], total: 60 });
    await settle(fixture);

    buttonNamed(page, 'Clear').click();
    const cleared = auditRequest();
    expect(params(cleared)).toEqual({ limit: String(AUDIT_PAGE_SIZE), offset: '0' });
    cleared.flush({ items: [], total: 0 });
    await settle(fixture);
    expect(page.querySelector('[role=status]')?.textContent).toContain('No events yet');
    fixture.destroy();
  });

  it('says when nothing matches the filters, and refuses an inverted time range', async () => {
    const { fixture, page } = await render([], 0);
    const form = page.querySelector<HTMLFormElement>('form[role=search]');
    if (!form) throw new Error('no filter form');
    (form.querySelector('[name=since]') as HTMLInputElement).value = '2026-02-01T00:00';
    (form.querySelector('[name=until]') as HTMLInputElement).value = '2026-01-01T00:00';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    http.expectNone('/api/audit');
    expect(page.querySelector('[role=alert]')?.textContent).toContain('must come before');

    (form.querySelector('[name=since]') as HTMLInputElement).value = '';
    (form.querySelector('[name=actor]') as HTMLInputElement).value = 'nobody';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    auditRequest().flush({ items: [], total: 0 });
    await settle(fixture);
    expect(page.querySelector('[role=alert]')).toBeNull();
    expect(page.querySelector('[role=status]')?.textContent).toContain('No events match these filters');
    fixture.destroy();
  });

  it('shows the hub’s error message', async () => {
    signIn('admin');
    const fixture = TestBed.createComponent(AuditPage);
    fixture.detectChanges();
    auditRequest().flush({ statusCode: 400, code: 'validation', message: 'since: must be 1970 or later' }, { status: 400, statusText: 'Bad Request' });
    await settle(fixture);
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[role=alert]')?.textContent).toContain('since: must be 1970 or later');
    expect(page.querySelector('[role=status]')).toBeNull();
    fixture.destroy();
  });

  it('tells a non-admin the audit log is for admins, without asking the hub', async () => {
    signIn('viewer');
    const fixture = TestBed.createComponent(AuditPage);
    fixture.detectChanges();
    await settle(fixture);
    http.expectNone('/api/audit');
    expect((fixture.nativeElement as HTMLElement).querySelector('[role=status]')?.textContent).toContain('Only admins read the audit log');
    fixture.destroy();
  });
});
