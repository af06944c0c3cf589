import { Flags } from '@oclif/core';
import { AUDIT_ACTIONS, AuditListResponse } from '@thresh/protocol';
import { HubCommand } from '../lib/hub-command';

export default class Audit extends HubCommand {
  static override summary = 'Show the audit trail (admins): who did what, to what, from where';
  static override examples = ['<%= config.bin %> audit --action auth.login_failed --since 2026-11-01T00:00:00Z', '<%= config.bin %> audit --actor ci --json'];
  static override flags = {
    action: Flags.string({ description: 'only this action', options: [...AUDIT_ACTIONS] }),
    actor: Flags.string({ description: 'only this user' }),
    since: Flags.string({ description: 'ISO 8601 time, inclusive' }),
    until: Flags.string({ description: 'ISO 8601 time, exclusive' }),
    limit: Flags.integer({ description: 'at most this many entries', default: 50, min: 1, max: 1000 }),
  };

  async run(): Promise<AuditListResponse> {
    const { flags } = await this.parse(Audit);
    const query = new URLSearchParams({ limit: String(flags.limit) });
    for (const name of ['action', 'actor', 'since', 'until'] as const) if (flags[name]) query.set(name, flags[name] as string);
    const result = await (await this.client(flags.hub)).request<AuditListResponse>('GET', `/api/audit?${query}`);
    this.logTable(['TIME', 'ACTOR', 'ACTION', 'TARGET', 'SOURCE'], result.items.map((event) => [event.at, event.actor, event.action, event.target ?? '-', event.sourceAddress ?? '-']));
    this.log(`${result.items.length} of ${result.total} entries`);
    return result;
  }
}
