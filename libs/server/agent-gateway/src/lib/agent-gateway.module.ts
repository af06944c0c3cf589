import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { AGENT_GATEWAY_OPTIONS, AgentGatewayOptions } from './agent-gateway.options';
import { AgentAuthService } from './agent-auth.service';
import { AgentRestController } from './agent-rest.controller';
import { AgentSessions } from './agent-sessions.service';
import { AgentUplink } from './agent-uplink';
import { AgentsGateway } from './agents.gateway';

export interface AgentGatewayModuleOptions extends AgentGatewayOptions {
  /** Where the agents' requests go: the hub's own services, or the midtier's hub link. */
  uplink: Type<AgentUplink>;
  /** Modules the uplink needs. */
  imports?: ModuleMetadata['imports'];
}

/**
 * What agents talk to: the `/agents` Socket.IO namespace and its REST fallback under `agent/`. The midtier mounts it,
 * and so does the hub, so a small fleet needs no midtier.
 */
@Module({})
export class AgentGatewayModule {
  static forRoot({ uplink, imports, ...options }: AgentGatewayModuleOptions): DynamicModule {
    return {
      module: AgentGatewayModule,
      imports: imports ?? [],
      controllers: [AgentRestController],
      providers: [
        { provide: AGENT_GATEWAY_OPTIONS, useValue: options },
        { provide: AgentUplink, useClass: uplink },
        AgentAuthService,
        AgentSessions,
        AgentsGateway,
      ],
      exports: [AgentSessions, AgentUplink],
    };
  }
}
