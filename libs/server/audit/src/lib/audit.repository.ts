import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AuditQuery } from '@thresh/protocol';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEventEntity } from './audit-event.entity';

@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  async insert(event: Omit<AuditEventEntity, 'id' | 'at'>): Promise<void> {
    // insert, not save: one statement, without save's transaction around it.
    // The cast: TypeORM's insert() types a jsonb Record column as a nested partial entity.
    await this.events.insert(this.events.create(event) as QueryDeepPartialEntity<AuditEventEntity>);
  }

  list(accountId: string, query: AuditQuery): Promise<[AuditEventEntity[], number]> {
    const builder = this.events
      .createQueryBuilder('event')
      .where('event.account_id = :accountId', { accountId })
      .orderBy('event.at', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .take(query.limit)
      .skip(query.offset);
    if (query.action) builder.andWhere('event.action = :action', { action: query.action });
    if (query.actor) builder.andWhere('event.actor = :actor', { actor: query.actor });
    if (query.since) builder.andWhere('event.at >= :since', { since: query.since });
    if (query.until) builder.andWhere('event.at < :until', { until: query.until });
    return builder.getManyAndCount();
  }
}
