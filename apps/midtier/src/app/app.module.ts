import { DynamicModule, Module } from '@nestjs/common';
import { AgentPollingController } from './agent-polling/agent-polling.controller';
import { AgentAuthService } from './agents/agent-auth.service';
import { AgentsGateway } from './agents/agents.gateway';
import { MetricsBatcherService } from './agents/metrics-batcher.service';
import { HealthController } from './health/health.controller';
import { HubLinkService } from './hub-link/hub-link.service';
import { MIDTIER_CONFIG, MidtierConfig } from './midtier-config';

@Module({})
export class AppModule {
  static forRoot(config: MidtierConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, AgentPollingController],
      providers: [
        { provide: MIDTIER_CONFIG, useValue: config },
        HubLinkService,
        AgentAuthService,
        MetricsBatcherService,
        AgentsGateway,
      ],
    };
  }
}
