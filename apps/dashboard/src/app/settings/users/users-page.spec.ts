import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { UserRole, UserSummary } from '@thresh/protocol';
import { ME_ID, signIn } from '../../core/testing';
import { buttonNamed, settle, setUpSettingsPage, userSummary } from '../settings-testing';
import { UsersPage } from './users-page';

describe('UsersPage', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    http = setUpSettingsPage();
  });

  afterEach(() => http.verify());

  const me = userSummary('root', { id: ME_ID, role: 'admin' });

  async function render(users: UserSummary[] = [me, userSummary('alice', { role: 'operator' })]) {
    signIn('admin');
    const fixture = TestBed.createComponent(UsersPage);
    fixture.detectChanges();
    http.expectOne({ method: 'GET', url: '/api/users' }).flush(users);
    await settle(fixture);
    return { fixture, page: fixture.nativeElement as HTMLElement };
  }

  it.each<UserRole>(['viewer', 'operator'])('tells a %s that users are for admins, without asking the hub', async (role) => {
    signIn(role);
    const fixture = TestBed.createComponent(UsersPage);
    fixture.detectChanges();
    await settle(fixture);
    http.expectNone('/api/users');
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[role=status]')?.textContent).toContain('Only admins manage users');
    expect(page.querySelector('form')).toBeNull();
    fixture.destroy();
  });

  it('lists users with role, status and creation, and keeps an admin from demoting or disabling themselves', async () => {
    const { fixture, page } = await render([me, userSummary('alice', { role: 'operator' }), userSummary('bob', { disabled: true })]);
    const rows = [...page.querySelectorAll('tbody tr')];
    expect(rows.map((row) => row.getAttribute('data-user'))).toEqual(['root', 'alice', 'bob']);
    expect([...page.querySelectorAll('th')].map((th) => th.textContent?.trim())).toEqual(['Username', 'Role', 'Status', 'Created', 'Actions']);
    expect(rows.map((row) => row.querySelector<HTMLSelectElement>('select')?.value)).toEqual(['admin', 'operator', 'viewer']);
    expect(rows.map((row) => row.querySelector('.tag')?.textContent?.trim())).toEqual(['active', 'active', 'disabled']);
    expect(rows[0].textContent).toContain('(you)');
    expect(rows[0].querySelector('select')?.disabled).toBe(true);
    expect(rows[0].textContent).not.toContain('Disable');
    expect(buttonNamed(page, 'Enable bob')).toBeTruthy();
    fixture.destroy();
  });

  it('creates a user with username, password and role', async () => {
    const { fixture, page } = await render([me]);
    const form = page.querySelector<HTMLFormElement>('form.create');
    if (!form) throw new Error('no create form');
    expect([...form.querySelectorAll('label')].map((label) => label.firstChild?.textContent?.trim())).toEqual(['Username', 'Password', 'Role']);
    expect(form.querySelector<HTMLSelectElement>('[name=role]')?.value).toBe('viewer');
    (form.querySelector('[name=username]') as HTMLInputElement).value = 'carol';
    (form.querySelector('[name=password]') as HTMLInputElement).value = 'correct horse';
    (form.querySelector('[name=role]') as HTMLSelectElement).value = 'operator';
    form.dispatchEvent(new Event('submit', { cancelable: true }));

    const request = http.expectOne({ method: 'POST', url: '/api/users' });
    expect(request.request.body).toEqual({ username: 'carol', password: 'correct horse', role: 'operator' });
    request.flush(userSummary('carol', { role: 'operator' }));
    await settle(fixture);
    expect(page.querySelector('tr[data-user=carol]')).not.toBeNull();
    expect(page.querySelector('.done[role=status]')?.textContent).toContain('carol can now log in as operator');
    expect((form.querySelector('[name=password]') as HTMLInputElement).value).toBe('');
    // The next user starts as a viewer again, never as an admin by accident.
    expect((form.querySelector('[name=role]') as HTMLSelectElement).value).toBe('viewer');
    fixture.destroy();
  });

  it('changes a role, and puts it back when the hub refuses', async () => {
    const alice = userSummary('alice', { role: 'operator' });
    const { fixture, page } = await render([me, alice]);
    const select = page.querySelector<HTMLSelectElement>('tr[data-user=alice] select');
    if (!select) throw new Error('no role select');
    expect(select.getAttribute('aria-label')).toBe('Role of alice');

    select.value = 'viewer';
    select.dispatchEvent(new Event('change'));
    const request = http.expectOne({ method: 'PATCH', url: `/api/users/${alice.id}` });
    expect(request.request.body).toEqual({ role: 'viewer' });
    request.flush({ ...alice, role: 'viewer' });
    await settle(fixture);
    expect(page.querySelector('.done')?.textContent).toContain('alice is now viewer');

    select.value = 'admin';
    select.dispatchEvent(new Event('change'));
    http
      .expectOne({ method: 'PATCH', url: `/api/users/${alice.id}` })
      .flush({ statusCode: 409, code: 'conflict', message: 'Nope, not today' }, { status: 409, statusText: 'Conflict' });
    await settle(fixture);
    expect(page.querySelector('[role=alert]')?.textContent).toContain('Nope, not today');
    expect(select.value).toBe('viewer');
    fixture.destroy();
  });

  it('disables and enables a user', async () => {
    const alice = userSummary('alice', { role: 'operator' });
    const { fixture, page } = await render([me, alice]);
    buttonNamed(page, 'Disable alice').click();
    const request = http.expectOne({ method: 'PATCH', url: `/api/users/${alice.id}` });
    expect(request.request.body).toEqual({ disabled: true });
    request.flush({ ...alice, disabled: true });
    await settle(fixture);
    expect(page.querySelector('tr[data-user=alice] .tag')?.textContent?.trim()).toBe('disabled');
    expect(page.querySelector('.done')?.textContent).toContain('sessions stop working at once');

    buttonNamed(page, 'Enable alice').click();
    const again = http.expectOne({ method: 'PATCH', url: `/api/users/${alice.id}` });
    expect(again.request.body).toEqual({ disabled: false });
    again.flush(alice);
    await settle(fixture);
    expect(page.querySelector('tr[data-user=alice] .tag')?.textContent?.trim()).toBe('active');
    fixture.destroy();
  });

  it('sets a user’s password', async () => {
    const alice = userSummary('alice');
    const { fixture, page } = await render([me, alice]);
    buttonNamed(page, 'Set password of alice').click();
    await settle(fixture);
    const field = page.querySelector<HTMLInputElement>('tr[data-user=alice] input[name=password]');
    if (!field) throw new Error('no password field');
    expect(document.activeElement).toBe(field);
    field.value = 'a new secret';
    field.form?.dispatchEvent(new Event('submit', { cancelable: true }));
    const request = http.expectOne({ method: 'PATCH', url: `/api/users/${alice.id}` });
    expect(request.request.body).toEqual({ password: 'a new secret' });
    request.flush(alice);
    await settle(fixture);
    expect(page.querySelector('tr[data-user=alice] input[name=password]')).toBeNull();
    expect(page.querySelector('.done')?.textContent).toContain('password is changed');
    fixture.destroy();
  });

  it('shows the hub’s error when the list cannot be read', async () => {
    signIn('admin');
    const fixture = TestBed.createComponent(UsersPage);
    fixture.detectChanges();
    http.expectOne('/api/users').flush({ statusCode: 500, code: 'internal', message: 'The database is down' }, { status: 500, statusText: 'Error' });
    await settle(fixture);
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('[role=alert]')?.textContent).toContain('The database is down');
    expect(page.querySelector('[role=status]')).toBeNull();
    fixture.destroy();
  });
});
