import { DynamicModule, Module } from '@nestjs/common';
import { MetricsBatcherService } from '../agents/metrics-batcher.service';
import { MIDTIER_CONFIG, MidtierConfig } from '../midtier-config';
import { HubLinkService } from './hub-link.service';

/** The midtier's side of the hub: its connection, and the batches of metrics that go over it. */
@Module({})
export class HubLinkModule {
  static forRoot(config: MidtierConfig): DynamicModule {
    return {
      module: HubLinkModule,
      global: true,
      providers: [{ provide: MIDTIER_CONFIG, useValue: config }, HubLinkService, MetricsBatcherService],
      exports: [MIDTIER_CONFIG, HubLinkService, MetricsBatcherService],
    };
  }
}
