import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { AuditEvent, KeyResponse, UserSummary } from '@thresh/protocol';

let counter = 0;
const nextId = (prefix: string) => `${prefix}-0000-4000-8000-${String((counter += 1)).padStart(12, '0')}`;

/** A key as GET /api/keys lists it. */
export function apiKey(name: string, overrides: Partial<KeyResponse> = {}): KeyResponse {
  return {
    id: nextId('40000000'),
    name,
    type: 'agent',
    prefix: `thresh_live_default_${name.slice(0, 4)}`,
    createdAt: '2026-01-02T10:00:00.000Z',
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/** A user as GET /api/users lists one. */
export function userSummary(username: string, overrides: Partial<UserSummary> = {}): UserSummary {
  return { id: nextId('50000000'), username, role: 'viewer', account: 'default', disabled: false, createdAt: '2026-01-02T10:00:00.000Z', ...overrides };
}

/** An entry of the audit trail. */
export function auditEvent(action: AuditEvent['action'], overrides: Partial<AuditEvent> = {}): AuditEvent {
  return { id: String((counter += 1)), actor: 'root', action, target: null, sourceAddress: '10.0.0.7', details: {}, at: '2026-01-02T10:00:00.000Z', ...overrides };
}

/** A fresh TestBed for a settings page, with the hub's HTTP answered by hand; signed out until signIn(). */
export function setUpSettingsPage(): HttpTestingController {
  localStorage.clear();
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
  return TestBed.inject(HttpTestingController);
}

/** Lets the page finish what it started (answers, signals), then renders it. */
export async function settle(fixture: { whenStable(): Promise<unknown>; detectChanges(): void }): Promise<void> {
  await fixture.whenStable();
  fixture.detectChanges();
}

/** The button a user would pick by its text or its accessible name. */
export function buttonNamed(page: HTMLElement, label: string): HTMLButtonElement {
  const found = Array.from(page.querySelectorAll('button')).find((candidate) => candidate.textContent?.trim() === label || candidate.getAttribute('aria-label') === label);
  if (!found) throw new Error(`no button ${label}`);
  return found;
}
