import { Controller, Get } from '@nestjs/common';
import { AgentSessions } from '@thresh/server-agent-gateway';
import { MetricsBatcherService } from '../agents/metrics-batcher.service';
import { HubLinkService } from '../hub-link/hub-link.service';

export interface MidtierHealth {
  status: 'ok' | 'degraded';
  hub: { connected: boolean; url: string; lastError: string | null };
  agentsConnected: number;
  /** Of those, agents that poll over REST rather than hold a socket. */
  agentsPolling: number;
  pendingSamples: number;
  /** Samples on disk while the hub is away, and samples lost to a full spool. */
  spooledSamples: number;
  droppedSamples: number;
  uptimeSeconds: number;
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly hub: HubLinkService,
    private readonly agents: AgentSessions,
    private readonly metrics: MetricsBatcherService,
  ) {}

  /** Always 200 while the process runs: a midtier without its hub still holds its agents. */
  @Get()
  health(): MidtierHealth {
    const hub = this.hub.status;
    return {
      status: hub.connected ? 'ok' : 'degraded',
      hub,
      agentsConnected: this.agents.connectedAgents.socket + this.agents.connectedAgents.rest,
      agentsPolling: this.agents.connectedAgents.rest,
      pendingSamples: this.metrics.backlog,
      spooledSamples: this.metrics.spool.spooledSamples,
      droppedSamples: this.metrics.spool.droppedSamples,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }
}
