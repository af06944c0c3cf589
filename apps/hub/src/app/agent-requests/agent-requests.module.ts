import { Module } from '@nestjs/common';
import { AgentRequestsService } from './agent-requests.service';

/** What agents ask of the hub, whether over the hub link from a midtier or through the hub's own agent gateway. */
@Module({
  providers: [AgentRequestsService],
  exports: [AgentRequestsService],
})
export class AgentRequestsModule {}
