import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { SessionResponse, UserResponse } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';

const STORAGE_KEY = 'thresh.session';

/** Who is logged in and until when: nothing secret (the token is in an httpOnly cookie no script can read). */
interface StoredSession {
  expiresAt: string;
  user: UserResponse;
}

function readStored(): StoredSession | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as (StoredSession & { token?: string }) | null;
    // A session stored by an earlier release held its token in script-readable storage: it is not used again.
    if (stored?.token) localStorage.removeItem(STORAGE_KEY);
    return stored && !stored.token && Date.parse(stored.expiresAt) > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

/** The logged-in user, kept across reloads until the session expires or the user logs out; the hub's cookie carries the token. */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly session = signal<StoredSession | null>(readStored());

  readonly user = computed(() => this.session()?.user ?? null);
  readonly loggedIn = computed(() => this.session() !== null);
  /** Users, keys and the audit log are for admins. */
  readonly isAdmin = computed(() => this.user()?.role === 'admin');
  /** Admins and operators change the fleet (deploy, stop, edit clusters); viewers read it. */
  readonly canOperate = computed(() => this.user()?.role === 'admin' || this.user()?.role === 'operator');

  async login(username: string, password: string): Promise<void> {
    const response = await firstValueFrom(this.http.post<SessionResponse>('/api/auth/session', { username, password }));
    const stored: StoredSession = { expiresAt: response.expiresAt, user: response.user };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    this.session.set(stored);
  }

  async logout(): Promise<void> {
    if (this.loggedIn()) await firstValueFrom(this.http.post('/api/auth/logout', {})).catch(() => undefined);
    this.clear();
    await this.router.navigate(['/login']);
  }

  /** The hub no longer accepts the token: back to the login page, saying why. */
  expire(): void {
    if (!this.session()) return;
    this.clear();
    void this.router.navigate(['/login'], { queryParams: { reason: 'expired' } });
  }

  private clear(): void {
    localStorage.removeItem(STORAGE_KEY);
    this.session.set(null);
  }
}
