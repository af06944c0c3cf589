import type { UserRole } from '@thresh/protocol';

export const ME_ID = '30000000-0000-4000-8000-000000000001';

/** Starts the test logged in with this role, as a login would leave the session: SessionService reads it on creation. */
export function signIn(role: UserRole, username = 'root'): void {
  const user = { id: ME_ID, username, role, account: 'default' };
  localStorage.setItem('thresh.session', JSON.stringify({ expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user }));
}
