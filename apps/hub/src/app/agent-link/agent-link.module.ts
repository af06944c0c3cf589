import { Module } from '@nestjs/common';
import { AgentTraffic } from './agent-traffic.service';

/** The hub's handling of agent traffic, for the midtier gateway and the hub's own agent gateway alike. */
@Module({
  providers: [AgentTraffic],
  exports: [AgentTraffic],
})
export class AgentLinkModule {}
