import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { AUDIT_ACTIONS, type AuditAction, type AuditEvent, type AuditListResponse } from '@thresh/protocol';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/error-message';
import { SessionService } from '../../core/session.service';
import { formatTime, localToIso } from '../format';
import { SettingsNav } from '../settings-nav/settings-nav';

/** Events asked for at a time; "Older" asks for the next as many. */
export const AUDIT_PAGE_SIZE = 50;

/** The filters GET /api/audit takes (besides limit and offset); empty means "any". */
interface AuditFilters {
  action: AuditAction | '';
  actor: string;
  /** ISO instants. */
  since: string;
  until: string;
}

const NO_FILTERS: AuditFilters = { action: '', actor: '', since: '', until: '' };

/** Who did what, to what, from where and when: newest first, filtered, a page at a time. Admins only. */
@Component({
  selector: 'app-audit-page',
  imports: [SettingsNav],
  templateUrl: './audit-page.html',
  styleUrls: ['../settings.css', './audit-page.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditPage implements OnInit {
  private readonly http = inject(HttpClient);
  /** Numbers each request, so an answer to a superseded one is ignored. */
  private generation = 0;

  protected readonly actions = AUDIT_ACTIONS;
  protected readonly isAdmin = inject(SessionService).isAdmin;
  protected readonly filters = signal<AuditFilters>(NO_FILTERS);
  protected readonly events = signal<AuditEvent[] | null>(null);
  protected readonly total = signal(0);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly filtered = computed(() => Object.values(this.filters()).some((value) => value !== ''));
  /** A full last page says there may be more; a short one is the beginning of the log (new events cannot stall it). */
  private readonly lastPageFull = signal(false);
  protected readonly hasOlder = computed(() => this.lastPageFull() && (this.events()?.length ?? 0) < this.total());
  protected readonly rows = computed(() =>
    (this.events() ?? []).map((event) => ({
      event,
      time: formatTime(event.at),
      fields: Object.keys(event.details),
      json: JSON.stringify(event.details, null, 2),
    })),
  );

  ngOnInit(): void {
    if (this.isAdmin()) void this.load(true);
  }

  protected async apply(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '').trim();
    const since = localToIso(field('since'));
    const until = localToIso(field('until'));
    if ((field('since') && !since) || (field('until') && !until)) {
      this.error.set('“Since” and “Until” must be dates and times.');
      return;
    }
    if (since && until && since > until) {
      this.error.set('“Since” must come before “Until”.');
      return;
    }
    this.filters.set({ action: field('action') as AuditAction | '', actor: field('actor'), since: since ?? '', until: until ?? '' });
    await this.load(true);
  }

  protected async clear(form: HTMLFormElement): Promise<void> {
    form.reset();
    this.filters.set(NO_FILTERS);
    await this.load(true);
  }

  protected async older(): Promise<void> {
    await this.load(false);
  }

  /** Reads the first page (fresh) or the next older one. */
  private async load(fresh: boolean): Promise<void> {
    const generation = ++this.generation;
    const offset = fresh ? 0 : (this.events()?.length ?? 0);
    const params: Record<string, string | number> = { limit: AUDIT_PAGE_SIZE, offset };
    for (const [name, value] of Object.entries(this.filters())) if (value !== '') params[name] = value;
    if (fresh) this.events.set(null);
    this.loading.set(true);
    this.error.set(null);
    try {
      const page = await firstValueFrom(this.http.get<AuditListResponse>('/api/audit', { params }));
      if (generation !== this.generation) return;
      // Events written since the first page shift the offsets: an event already shown is not shown twice.
      const shown = new Set((fresh ? [] : (this.events() ?? [])).map((event) => event.id));
      this.events.set([...(fresh ? [] : (this.events() ?? [])), ...page.items.filter((event) => !shown.has(event.id))]);
      this.total.set(page.total);
      this.lastPageFull.set(page.items.length === AUDIT_PAGE_SIZE);
    } catch (error) {
      if (generation === this.generation) this.error.set(errorMessage(error));
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }
}
