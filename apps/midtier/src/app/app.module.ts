import { DynamicModule, Module } from '@nestjs/common';
import { AgentGatewayModule } from '@thresh/server-agent-gateway';
import { HealthController } from './health/health.controller';
import { HubLinkModule } from './hub-link/hub-link.module';
import { MidtierUplink } from './hub-link/midtier-uplink';
import { MidtierConfig } from './midtier-config';

@Module({})
export class AppModule {
  static forRoot(config: MidtierConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HubLinkModule.forRoot(config),
        AgentGatewayModule.forRoot({
          uplink: MidtierUplink,
          keyCacheSeconds: config.MIDTIER_KEY_CACHE_SECONDS,
          restSessionSeconds: config.MIDTIER_AGENT_SESSION_SECONDS,
        }),
      ],
      controllers: [HealthController],
    };
  }
}
