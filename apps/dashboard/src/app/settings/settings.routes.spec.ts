import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { signIn } from '../core/testing';
import { SETTINGS_ROUTES } from './settings.routes';

describe('SETTINGS_ROUTES', () => {
  beforeEach(() => {
    localStorage.clear();
    signIn('admin');
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([{ path: 'settings', children: SETTINGS_ROUTES }])] });
  });

  it('offers keys, users and the audit log, each with its title, and opens on the keys', () => {
    expect(SETTINGS_ROUTES.filter((route) => route.component).map((route) => [route.path, route.title])).toEqual([
      ['keys', 'API keys · Thresh Hub'],
      ['users', 'Users · Thresh Hub'],
      ['audit', 'Audit log · Thresh Hub'],
    ]);
  });

  it('navigates between the pages from the settings links', async () => {
    const harness = await RouterTestingHarness.create('/settings');
    const http = TestBed.inject(HttpTestingController);
    expect(TestBed.inject(Router).url).toBe('/settings/keys');
    http.expectOne('/api/keys').flush([]);
    await harness.fixture.whenStable();
    harness.detectChanges();
    const links = [...harness.routeNativeElement?.querySelectorAll<HTMLAnchorElement>('app-settings-nav a') ?? []];
    expect(links.map((link) => [link.textContent?.trim(), link.getAttribute('href')])).toEqual([
      ['API keys', '/settings/keys'],
      ['Users', '/settings/users'],
      ['Audit log', '/settings/audit'],
    ]);
    expect(links[0].getAttribute('aria-current')).toBe('page');

    links[2].click();
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/settings/audit');
    http.expectOne((request) => request.url === '/api/audit').flush({ items: [], total: 0 });
    await harness.fixture.whenStable();
    http.verify();
  });
});
