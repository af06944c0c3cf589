import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { USER_ROLES, type CreateUserRequest, type UpdateUserRequest, type UserRole, type UserSummary } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';
import { focusLater } from '../../core/focus';
import { PageState } from '../../core/page-state';
import { SessionService } from '../../core/session.service';
import { formatTime } from '../format';
import { SettingsNav } from '../settings-nav/settings-nav';

export const ROLE_HINTS: Record<UserRole, string> = {
  admin: 'everything, with users, keys and the audit log',
  operator: 'deploys and changes clusters, stacks and commands',
  viewer: 'reads only',
};

/** The account's users: create them, change their role or password, disable them. Admins only. */
@Component({
  selector: 'app-users-page',
  imports: [SettingsNav],
  templateUrl: './users-page.html',
  styleUrls: ['../settings.css', './users-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UsersPage implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly session = inject(SessionService);
  private readonly focusLater = focusLater();

  protected readonly page = new PageState();
  protected readonly roles = USER_ROLES;
  protected readonly roleHints = ROLE_HINTS;
  protected readonly isAdmin = this.session.isAdmin;
  protected readonly myId = computed(() => this.session.user()?.id ?? null);
  protected readonly users = signal<UserSummary[] | null>(null);
  /** The user whose new password is being typed. */
  protected readonly settingPassword = signal<string | null>(null);

  ngOnInit(): void {
    if (this.isAdmin()) void this.load();
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const body: CreateUserRequest = {
      username: String(data.get('username') ?? '').trim(),
      password: String(data.get('password') ?? ''),
      role: String(data.get('role') ?? 'viewer') as UserRole,
    };
    if (!body.username || body.password.length < 8) {
      this.page.error.set('Give a username and a password of at least 8 characters.');
      return;
    }
    await this.page.run(async () => {
      const user = await firstValueFrom(this.http.post<UserSummary>('/api/users', body));
      form.reset();
      this.users.update((users) => [...(users ?? []), user]);
      this.page.notice.set(`${user.username} can now log in as ${user.role}.`);
    });
  }

  protected async changeRole(user: UserSummary, event: Event): Promise<void> {
    const select = event.target as HTMLSelectElement;
    const role = select.value as UserRole;
    if (role === user.role) return;
    const changed = await this.update(user, { role }, (updated) => `${updated.username} is now ${updated.role}.`);
    // Refused: the list still says what the hub holds.
    if (!changed) select.value = user.role;
  }

  protected async toggleDisabled(user: UserSummary): Promise<void> {
    await this.update(user, { disabled: !user.disabled }, (updated) =>
      updated.disabled ? `${updated.username} is disabled: their sessions stop working at once.` : `${updated.username} is enabled again.`,
    );
  }

  protected askPassword(user: UserSummary): void {
    this.settingPassword.set(user.id);
    this.focusLater('form.actions input[name=password]');
  }

  protected async setPassword(user: UserSummary, event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const password = String(new FormData(event.target as HTMLFormElement).get('password') ?? '');
    if (password.length < 8) {
      this.page.error.set('The password must be at least 8 characters.');
      return;
    }
    if (await this.update(user, { password }, (updated) => `${updated.username}’s password is changed.`)) this.settingPassword.set(null);
  }

  protected time(iso: string): string {
    return formatTime(iso);
  }

  /** Says whether the hub took the change. */
  private update(user: UserSummary, body: UpdateUserRequest, done: (updated: UserSummary) => string): Promise<boolean> {
    return this.page.run(async () => {
      const updated = await firstValueFrom(this.http.patch<UserSummary>(`/api/users/${user.id}`, body));
      this.users.update((users) => (users ?? []).map((candidate) => (candidate.id === updated.id ? updated : candidate)));
      this.page.notice.set(done(updated));
    });
  }

  private load(): Promise<boolean> {
    return this.page.load(this.users, this.http.get<UserSummary[]>('/api/users'));
  }
}
