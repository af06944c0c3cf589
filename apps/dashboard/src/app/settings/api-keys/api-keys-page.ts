import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, DOCUMENT, inject, OnInit, signal } from '@angular/core';
import { ISSUABLE_KEY_TYPES, type CreatedKeyResponse, type CreateKeyRequest, type IssuableKeyType, type KeyResponse } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';
import { focusLater } from '../../core/focus';
import { PageState } from '../../core/page-state';
import { SessionService } from '../../core/session.service';
import { formatDuration, formatTime, localToIso } from '../format';
import { SettingsNav } from '../settings-nav/settings-nav';

export const KEY_TYPE_LABELS: Record<IssuableKeyType, string> = { agent: 'Agent', midtier: 'Mid-tier' };

/** A key just issued: its secret lives only here, until dismissed or the page is left. */
interface Revealed {
  key: CreatedKeyResponse;
  /** After a rotation: the key it succeeds. */
  replaces: KeyResponse | null;
}

/** Agent and mid-tier keys: issue one (shown once), list them by prefix, rotate and revoke. Admins only. */
@Component({
  selector: 'app-api-keys-page',
  imports: [SettingsNav],
  templateUrl: './api-keys-page.html',
  styleUrls: ['../settings.css', './api-keys-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ApiKeysPage implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly document = inject(DOCUMENT);
  private readonly focusLater = focusLater();

  protected readonly page = new PageState();
  protected readonly types = ISSUABLE_KEY_TYPES;
  protected readonly typeLabels = KEY_TYPE_LABELS;
  protected readonly isAdmin = inject(SessionService).isAdmin;
  protected readonly keys = signal<KeyResponse[] | null>(null);
  protected readonly revealed = signal<Revealed | null>(null);
  protected readonly copyNote = signal<string | null>(null);
  /** The key whose revocation waits for a yes. */
  protected readonly confirming = signal<string | null>(null);
  /** This hub, as a midtier reaches it (HUB_URL). */
  protected readonly hubOrigin = this.document.location.origin;

  /** The lines that put the new key to use, by its type. */
  protected readonly commands = computed(() => {
    const revealed = this.revealed();
    if (!revealed) return [];
    const secret = revealed.key.key;
    return revealed.key.type === 'agent'
      ? ['thresh agent config set midtier-url https://<midtier>:5000', `thresh agent config set api-key ${secret}`, 'thresh agent start']
      : [`MIDTIER_KEY=${secret} HUB_URL=${this.hubOrigin} node dist/apps/midtier/main.js`];
  });

  /** After a rotation: until when the old key keeps working, as the hub now lists it. */
  protected readonly overlap = computed(() => {
    const replaced = this.revealed()?.replaces;
    const old = replaced && this.keys()?.find((key) => key.id === replaced.id);
    const stopsAt = old?.revokedAt ? Date.parse(old.revokedAt) : NaN;
    if (!old || !(stopsAt > Date.now())) return null;
    return { prefix: old.prefix, until: formatTime(old.revokedAt), within: formatDuration(stopsAt - Date.now()) };
  });

  ngOnInit(): void {
    if (this.isAdmin()) void this.load();
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const expires = String(data.get('expiresAt') ?? '');
    const expiresAt = localToIso(expires);
    if (!name) {
      this.page.error.set('Give the key a name, such as the machine that will use it.');
      return;
    }
    if (expires && !expiresAt) {
      this.page.error.set('The expiry is not a date and time.');
      return;
    }
    const body: CreateKeyRequest = { type: String(data.get('type')) as IssuableKeyType, name, ...(expiresAt ? { expiresAt } : {}) };
    await this.page.run(async () => {
      const created = await firstValueFrom(this.http.post<CreatedKeyResponse>('/api/keys', body));
      form.reset();
      const { key: _secret, ...listed } = created;
      this.keys.update((keys) => [listed, ...(keys ?? [])]);
      this.reveal({ key: created, replaces: null });
    });
  }

  protected async rotate(key: KeyResponse): Promise<void> {
    await this.page.run(async () => {
      const successor = await firstValueFrom(this.http.post<CreatedKeyResponse>(`/api/keys/${key.id}/rotate`, {}));
      this.reveal({ key: successor, replaces: key });
      await this.load();
    });
  }

  protected askRevoke(key: KeyResponse): void {
    this.confirming.set(key.id);
    this.page.notice.set(null);
    this.focusLater('.confirm [data-cancel]');
  }

  /** Leaves the key as it is, and puts the focus back on its Revoke button. */
  protected cancelRevoking(key: KeyResponse): void {
    this.confirming.set(null);
    this.focusLater(`tr[data-key="${key.id}"] button.ask-revoke`);
  }

  protected async revoke(key: KeyResponse): Promise<void> {
    await this.page.run(async () => {
      const revoked = await firstValueFrom(this.http.delete<KeyResponse>(`/api/keys/${key.id}`));
      this.keys.update((keys) => (keys ?? []).map((candidate) => (candidate.id === revoked.id ? revoked : candidate)));
      this.confirming.set(null);
      this.page.notice.set(`${revoked.name} (${revoked.prefix}) is revoked: it stops working at once.`);
    });
  }

  protected async copy(text: string, what: string): Promise<void> {
    const clipboard = this.document.defaultView?.navigator.clipboard;
    if (!clipboard || typeof clipboard.writeText !== 'function') {
      this.copyNote.set('This browser does not let the page copy (it needs HTTPS or localhost): select the text and copy it by hand.');
      return;
    }
    try {
      await clipboard.writeText(text);
      this.copyNote.set(`${what} copied to the clipboard.`);
    } catch {
      this.copyNote.set('The browser refused to copy: select the text and copy it by hand.');
    }
  }

  protected dismiss(): void {
    this.revealed.set(null);
    this.copyNote.set(null);
    // The button that had focus is gone with the panel: keyboard users go on from the page's heading.
    this.focusLater('#keys-title');
  }

  protected state(key: KeyResponse): 'active' | 'rotated' | 'revoked' | 'expired' {
    const now = Date.now();
    if (key.revokedAt) return Date.parse(key.revokedAt) > now ? 'rotated' : 'revoked';
    if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
    return 'active';
  }

  protected time(iso: string | null, none = '-'): string {
    return formatTime(iso, none);
  }

  private reveal(revealed: Revealed): void {
    this.revealed.set(revealed);
    this.copyNote.set(null);
    this.page.notice.set(null);
    this.focusLater('section.revealed');
  }

  private load(): Promise<boolean> {
    return this.page.load(this.keys, this.http.get<KeyResponse[]>('/api/keys'));
  }
}
