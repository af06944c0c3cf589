import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { LoginResponse, UserResponse } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';

const STORAGE_KEY = 'thresh.session';

interface StoredSession {
  token: string;
  expiresAt: string;
  user: UserResponse;
}

function readStored(): StoredSession | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredSession | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

/** The logged-in user's token, kept across reloads until it expires or the user logs out. */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly session = signal<StoredSession | null>(readStored());

  readonly user = computed(() => this.session()?.user ?? null);
  readonly token = computed(() => this.session()?.token ?? null);
  readonly loggedIn = computed(() => this.session() !== null);

  async login(username: string, password: string): Promise<void> {
    const response = await firstValueFrom(this.http.post<LoginResponse>('/api/auth/login', { username, password }));
    const stored: StoredSession = { token: response.token, expiresAt: response.expiresAt, user: response.user };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    this.session.set(stored);
  }

  async logout(): Promise<void> {
    if (this.token()) await firstValueFrom(this.http.post('/api/auth/logout', {})).catch(() => undefined);
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
