import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentGatewayModule } from '@thresh/server-agent-gateway';
import { AuditModule } from '@thresh/server-audit';
import { AuthModule } from '@thresh/server-auth';
import { ClustersModule } from '@thresh/server-clusters';
import { CommandsModule } from '@thresh/server-commands';
import { databaseOptions } from '@thresh/server-core';
import { KeysModule } from '@thresh/server-keys';
import { MetricsModule } from '@thresh/server-metrics';
import { NodesModule } from '@thresh/server-nodes';
import { StacksModule } from '@thresh/server-stacks';
import { existsSync } from 'node:fs';
import { LocalUplink } from './agent-requests/local-uplink';
import { AgentRequestsModule } from './agent-requests/agent-requests.module';
import { AuditController } from './audit/audit.controller';
import { DashboardGateway } from './dashboard-live/dashboard.gateway';
import { HealthController } from './health/health.controller';
import { HubConfig } from './hub-config';
import { HubLinkGateway } from './hub-link/hub-link.gateway';

/** Paths the single-page dashboard must never shadow. */
export const SERVER_ROUTES = ['/api/{*path}', '/health{*path}', '/metrics', '/socket.io/{*path}'];

@Module({})
export class AppModule {
  static forRoot(config: HubConfig, dashboardDir?: string): DynamicModule {
    const serveDashboard = dashboardDir && existsSync(dashboardDir);
    if (!serveDashboard) new Logger('Dashboard').warn(`no built dashboard at ${dashboardDir}; run "npx nx build dashboard"`);
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          ...databaseOptions({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
          autoLoadEntities: true,
        }),
        TerminusModule,
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: config.HUB_RATE_LIMIT_PER_MINUTE }]),
        MetricsModule.forRoot(
          {
            rawDays: config.HUB_RETENTION_RAW_DAYS,
            minuteDays: config.HUB_RETENTION_MINUTE_DAYS,
            hourDays: config.HUB_RETENTION_HOUR_DAYS,
            sweepIntervalMs: 10 * 60_000,
            scrapeToken: config.HUB_METRICS_TOKEN,
            scrapePublic: config.HUB_METRICS_PUBLIC,
          },
          // Half the pool: the API keeps the rest however hard the midtiers push.
          { concurrency: Math.max(1, Math.floor(config.DATABASE_POOL_SIZE / 2)) },
        ),
        AuditModule,
        AuthModule.forRoot({
          account: config.THRESH_ACCOUNT,
          adminUsername: config.THRESH_ADMIN_USERNAME,
          adminPassword: config.THRESH_ADMIN_PASSWORD,
          tokenTtlSeconds: config.HUB_TOKEN_TTL_SECONDS,
          loginFailuresPer5Minutes: config.HUB_LOGIN_FAILURE_LIMIT,
          credentialFailuresPerMinute: config.HUB_CREDENTIAL_FAILURE_LIMIT,
        }),
        KeysModule,
        NodesModule.forRoot({
          graceSeconds: config.HUB_NODE_GRACE_SECONDS,
          staleSeconds: config.HUB_STALE_AGENT_WINDOW,
          sweepIntervalMs: config.HUB_STATUS_SWEEP_SECONDS * 1000,
        }),
        ClustersModule,
        CommandsModule.forRoot({
          defaultTtlSeconds: config.HUB_COMMAND_TTL_SECONDS,
          sweepIntervalMs: 5_000,
          retentionDays: config.HUB_COMMAND_RETENTION_DAYS,
          redeliverAfterSeconds: config.HUB_COMMAND_REDELIVER_SECONDS,
        }),
        StacksModule,
        AgentRequestsModule,
        // Agents may connect to the hub itself, as to a midtier: a small fleet needs none.
        AgentGatewayModule.forRoot({
          uplink: LocalUplink,
          imports: [AgentRequestsModule],
          keyCacheSeconds: config.HUB_AGENT_KEY_CACHE_SECONDS,
          restSessionSeconds: config.HUB_AGENT_SESSION_SECONDS,
          replicated: config.HUB_REPLICAS,
        }),
        ...(serveDashboard ? [ServeStaticModule.forRoot({ rootPath: dashboardDir, exclude: SERVER_ROUTES })] : []),
      ],
      controllers: [HealthController, AuditController],
      providers: [HubLinkGateway, DashboardGateway, { provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
