import { Injectable, Logger } from '@nestjs/common';
import { AuditAction, AuditEvent, AuditListResponse, AuditQuery, printable } from '@thresh/protocol';
import { AuditEventEntity } from './audit-event.entity';
import { AuditRepository } from './audit.repository';

export interface AuditEntry {
  accountId: string | null;
  actor: string;
  action: AuditAction;
  target?: string | null;
  sourceAddress?: string | null;
  details?: Record<string, unknown>;
}

function mapEvent(event: AuditEventEntity): AuditEvent {
  return {
    id: String(event.id),
    actor: event.actor,
    action: event.action,
    target: event.target,
    sourceAddress: event.sourceAddress,
    details: event.details,
    at: event.at.toISOString(),
  };
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly events: AuditRepository) {}

  /** Written before the caller answers: an action that cannot be audited fails rather than goes unrecorded. */
  async record(entry: AuditEntry): Promise<void> {
    await this.events.insert({ ...entry, target: entry.target ?? null, sourceAddress: entry.sourceAddress ?? null, details: entry.details ?? {} });
    // Actors and targets may be what a client typed (a username tried at login): escaped, they cannot forge log lines.
    this.logger.log(`${entry.action} by ${printable(entry.actor)}${entry.target ? ` on ${printable(entry.target)}` : ''} from ${printable(entry.sourceAddress ?? '-')}`);
  }

  /** Records what a logged-in user did, from where their request came. */
  recordBy(user: { accountId: string; username: string; sourceAddress: string | null }, action: AuditAction, target: string, details?: Record<string, unknown>): Promise<void> {
    return this.record({ accountId: user.accountId, actor: user.username, action, target, sourceAddress: user.sourceAddress, details });
  }

  async list(accountId: string, query: AuditQuery): Promise<AuditListResponse> {
    const [items, total] = await this.events.list(accountId, query);
    return { items: items.map(mapEvent), total };
  }
}
