import type { UserRole } from '@thresh/protocol';

export const ME_ID = '30000000-0000-4000-8000-000000000001';

/** Starts the test logged in with this role, as a login would leave the session: SessionService reads it on creation. */
export function signIn(role: UserRole, username = 'root'): void {
  const user = { id: ME_ID, username, role, account: 'default' };
  localStorage.setItem('thresh.session', JSON.stringify({ expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user }));
}

/** Lets the page finish what it started (answers, timers, signals), then renders it. */
export async function settleFully(fixture: { whenStable(): Promise<unknown>; detectChanges(): void }): Promise<void> {
  for (let round = 0; round < 3; round++) await new Promise((resolve) => setTimeout(resolve, 0));
  await fixture.whenStable();
  fixture.detectChanges();
}

/** The text of each element matching `selector`, its white space folded as a reader sees it. */
export function textsOf(page: HTMLElement, selector: string): (string | undefined)[] {
  return Array.from(page.querySelectorAll(selector)).map((element) => element.textContent?.replace(/\s+/g, ' ').trim());
}
