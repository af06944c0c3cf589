import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764201600000 } from './migrations/1764201600000-initial-schema';
import { IdentityAndAudit1764288000000 } from './migrations/1764288000000-identity-and-audit';
import { MetricSamples1764374400000 } from './migrations/1764374400000-metric-samples';
import { MetricRollups1764460800000 } from './migrations/1764460800000-metric-rollups';
import { TimePartitions1764547200000 } from './migrations/1764547200000-time-partitions';
import { Commands1764633600000 } from './migrations/1764633600000-commands';
import { StackDeployments1764720000000 } from './migrations/1764720000000-stack-deployments';
import { ReplicaBroadcasts1764806400000 } from './migrations/1764806400000-replica-broadcasts';
import { NodeIdentity1764892800000 } from './migrations/1764892800000-node-identity';

export const MIGRATIONS = [InitialSchema1764201600000, IdentityAndAudit1764288000000, MetricSamples1764374400000, MetricRollups1764460800000, TimePartitions1764547200000, Commands1764633600000, StackDeployments1764720000000, ReplicaBroadcasts1764806400000, NodeIdentity1764892800000];

export interface DatabaseSettings {
  url: string;
  poolSize: number;
}

/** The schema comes from migrations only; the entities merely map it. */
export function databaseOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: settings.poolSize, connectionTimeoutMillis: 10_000 },
  };
}
