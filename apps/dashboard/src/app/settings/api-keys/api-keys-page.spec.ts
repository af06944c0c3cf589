import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { CreatedKeyResponse, KeyResponse } from '@thresh/protocol';
import { signIn } from '../../core/testing';
import { apiKey, buttonNamed, settle, setUpSettingsPage } from '../settings-testing';
import { ApiKeysPage } from './api-keys-page';

describe('ApiKeysPage', () => {
  let http: HttpTestingController;
  const writeText = jest.fn<Promise<void>, [string]>();

  beforeEach(() => {
    http = setUpSettingsPage();
    writeText.mockReset().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  });

  afterEach(() => http.verify());

  async function render(keys: KeyResponse[] = [apiKey('build-server-7')]) {
    signIn('admin');
    const fixture = TestBed.createComponent(ApiKeysPage);
    fixture.detectChanges();
    http.expectOne({ method: 'GET', url: '/api/keys' }).flush(keys);
    await settle(fixture);
    return { fixture, page: fixture.nativeElement as HTMLElement };
  }

  function fill(page: HTMLElement, values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const field = page.querySelector<HTMLInputElement | HTMLSelectElement>(`form [name=${name}]`);
      if (!field) throw new Error(`no field ${name}`);
      field.value = value;
    }
    page.querySelector('form')?.dispatchEvent(new Event('submit', { cancelable: true }));
  }

  function created(overrides: Partial<CreatedKeyResponse>): CreatedKeyResponse {
    return { ...apiKey('x'), key: 'thresh_live_default_SECRETsecretSECRETsecretSECRETse123abc', ...overrides };
  }

  it('lists keys by prefix with their dates and state, and labels the create form', async () => {
    const { fixture, page } = await render([
      apiKey('build-server-7', { lastUsedAt: '2026-01-03T10:00:00.000Z' }),
      apiKey('edge-mid', { type: 'midtier', prefix: 'thresh_mid_default_ab12', revokedAt: '2026-01-04T10:00:00.000Z' }),
    ]);
    const rows = [...page.querySelectorAll('tbody tr')];
    expect(rows.map((row) => row.querySelector('td')?.textContent?.trim())).toEqual(['Agent', 'Mid-tier']);
    expect(rows[0].textContent).toContain('thresh_live_default_buil…');
    expect(rows[1].querySelector('.revoked')?.textContent).toContain('revoked');
    expect(rows[1].querySelector('button')).toBeNull();
    expect([...page.querySelectorAll('th')].map((th) => th.textContent?.trim())).toEqual(['Type', 'Name', 'Prefix', 'Created', 'Last used', 'Expires', 'Revoked', 'Actions']);
    expect([...page.querySelectorAll('form label')].map((label) => label.firstChild?.textContent?.trim())).toEqual(['Type', 'Name', 'Expires (optional)']);
    fixture.destroy();
  });

  it('shows a new agent key once, with its command lines, copies it, and forgets it when dismissed', async () => {
    const { fixture, page } = await render([]);
    expect(page.querySelector('[role=status]')?.textContent).toContain('No keys yet');

    fill(page, { type: 'agent', name: ' build-server-8 ', expiresAt: '' });
    const request = http.expectOne({ method: 'POST', url: '/api/keys' });
    expect(request.request.body).toEqual({ type: 'agent', name: 'build-server-8' });
    const secret = 'thresh_live_default_SECRETsecretSECRETsecretSECRETse123abc';
    request.flush(created({ name: 'build-server-8', key: secret }));
    await settle(fixture);

    const panel = page.querySelector('.revealed');
    expect(document.activeElement).toBe(panel);
    expect(panel?.querySelector('[data-secret]')?.textContent).toBe(secret);
    expect(panel?.textContent).toContain('shown only once');
    expect([...(panel?.querySelectorAll('code.command') ?? [])].map((code) => code.textContent)).toEqual([
      'thresh agent config set midtier-url https://<midtier>:5000',
      `thresh agent config set api-key ${secret}`,
      'thresh agent start',
    ]);
    // The list holds the key without its secret.
    expect(page.querySelector('tbody')?.textContent).not.toContain(secret);
    expect(page.querySelector('tbody')?.textContent).toContain('build-server-8');

    buttonNamed(page, 'Copy').click();
    await settle(fixture);
    expect(writeText).toHaveBeenCalledWith(secret);
    expect(page.querySelector('.copy-note')?.textContent).toContain('copied');
    // Another key now would replace this one before it was copied.
    expect(buttonNamed(page, 'Create key').disabled).toBe(true);

    buttonNamed(page, 'I have copied it: hide the key').click();
    await settle(fixture);
    expect(page.querySelector('.revealed')).toBeNull();
    expect(page.textContent).not.toContain(secret);
    expect(buttonNamed(page, 'Create key').disabled).toBe(false);
    expect(document.activeElement?.textContent).toBe('API keys');
    fixture.destroy();
  });

  it('sends the expiry and shows the midtier command line with this hub’s origin', async () => {
    const { fixture, page } = await render([]);
    fill(page, { type: 'midtier', name: 'edge-mid', expiresAt: '2099-06-01T12:30' });
    const request = http.expectOne({ method: 'POST', url: '/api/keys' });
    expect(request.request.body).toEqual({ type: 'midtier', name: 'edge-mid', expiresAt: new Date('2099-06-01T12:30').toISOString() });
    const secret = 'thresh_mid_default_SECRETsecretSECRETsecretSECRETse123abc';
    request.flush(created({ type: 'midtier', name: 'edge-mid', key: secret }));
    await settle(fixture);
    expect([...page.querySelectorAll('.revealed code.command')].map((code) => code.textContent)).toEqual([
      `MIDTIER_KEY=${secret} HUB_URL=${location.origin} node dist/apps/midtier/main.js`,
    ]);
    fixture.destroy();
  });

  it('says how to copy by hand when the clipboard is not available', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    const { fixture, page } = await render([]);
    fill(page, { type: 'agent', name: 'a' });
    http.expectOne('/api/keys').flush(created({ name: 'a' }));
    await settle(fixture);
    buttonNamed(page, 'Copy').click();
    await settle(fixture);
    expect(page.querySelector('.copy-note[role=status]')?.textContent).toContain('copy it by hand');
    fixture.destroy();
  });

  it('the key is gone once the page is left', async () => {
    const { fixture, page } = await render([]);
    fill(page, { type: 'agent', name: 'a' });
    http.expectOne('/api/keys').flush(created({ name: 'a', key: 'thresh_live_default_ONCE' }));
    await settle(fixture);
    expect(page.textContent).toContain('thresh_live_default_ONCE');
    fixture.destroy();

    const again = TestBed.createComponent(ApiKeysPage);
    again.detectChanges();
    http.expectOne('/api/keys').flush([apiKey('a')]);
    await settle(again);
    expect((again.nativeElement as HTMLElement).textContent).not.toContain('thresh_live_default_ONCE');
    expect((again.nativeElement as HTMLElement).querySelector('.revealed')).toBeNull();
    again.destroy();
  });

  it('asks for confirmation before revoking, and can be cancelled', async () => {
    const key = apiKey('build-server-7');
    const { fixture, page } = await render([key]);

    buttonNamed(page, 'Revoke build-server-7').click();
    await settle(fixture);
    http.expectNone({ method: 'DELETE' });
    expect(page.querySelector('[role=group]')?.textContent).toContain('Revoke build-server-7?');
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');

    buttonNamed(page, 'Cancel').click();
    await settle(fixture);
    http.expectNone({ method: 'DELETE' });
    expect(page.querySelector('[role=group]')).toBeNull();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Revoke build-server-7');

    // Escape leaves the key as it is too.
    buttonNamed(page, 'Revoke build-server-7').click();
    await settle(fixture);
    page.querySelector('[role=group]')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle(fixture);
    expect(page.querySelector('[role=group]')).toBeNull();
    http.expectNone({ method: 'DELETE' });

    buttonNamed(page, 'Revoke build-server-7').click();
    await settle(fixture);
    buttonNamed(page, 'Revoke now').click();
    const request = http.expectOne({ method: 'DELETE', url: `/api/keys/${key.id}` });
    request.flush({ ...key, revokedAt: new Date(Date.now() - 1000).toISOString() });
    await settle(fixture);
    expect(page.querySelector('.done[role=status]')?.textContent).toContain('build-server-7');
    expect(page.querySelector('tbody .revoked')?.textContent).toContain('revoked');
    expect(page.querySelector('tbody button')).toBeNull();
    fixture.destroy();
  });

  it('rotates: shows the successor once and how long the old key keeps working', async () => {
    const key = apiKey('build-server-7');
    const { fixture, page } = await render([key]);
    buttonNamed(page, 'Rotate build-server-7').click();
    const request = http.expectOne({ method: 'POST', url: `/api/keys/${key.id}/rotate` });
    const successor = created({ name: 'build-server-7', key: 'thresh_live_default_NEXT' });
    request.flush(successor);
    await settle(fixture);
    const stopsAt = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const { key: _secret, ...listed } = successor;
    http.expectOne({ method: 'GET', url: '/api/keys' }).flush([listed, { ...key, revokedAt: stopsAt }]);
    await settle(fixture);

    const panel = page.querySelector('.revealed');
    expect(panel?.querySelector('[data-secret]')?.textContent).toBe('thresh_live_default_NEXT');
    expect(panel?.querySelector('.overlap')?.textContent).toContain('keeps working for 24 hours');
    expect(page.querySelector(`tr[data-key="${key.id}"] .revoked`)?.textContent).toContain('rotated');
    fixture.destroy();
  });

  it('shows the hub’s error message', async () => {
    const { fixture, page } = await render([]);
    fill(page, { type: 'agent', name: 'dup' });
    http.expectOne('/api/keys').flush({ statusCode: 400, code: 'validation', message: 'name: too long' }, { status: 400, statusText: 'Bad Request' });
    await settle(fixture);
    expect(page.querySelector('[role=alert]')?.textContent).toContain('name: too long');
    expect(page.querySelector('.revealed')).toBeNull();
    fixture.destroy();
  });

  it('tells a non-admin that keys are for admins, without asking the hub', async () => {
    signIn('operator');
    const fixture = TestBed.createComponent(ApiKeysPage);
    fixture.detectChanges();
    await settle(fixture);
    http.expectNone('/api/keys');
    expect((fixture.nativeElement as HTMLElement).querySelector('[role=status]')?.textContent).toContain('Only admins manage API keys');
    fixture.destroy();
  });
});
