import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NodeEntity } from './node.entity';
import { NodeMetricsRepository } from './node-metrics.repository';
import { NodeRepository } from './node.repository';
import { NodesController } from './nodes.controller';
import { NODES_OPTIONS, NodesOptions, NodesService } from './nodes.service';

@Module({})
export class NodesModule {
  static forRoot(options: NodesOptions): DynamicModule {
    return {
      module: NodesModule,
      imports: [TypeOrmModule.forFeature([NodeEntity])],
      controllers: [NodesController],
      providers: [{ provide: NODES_OPTIONS, useValue: options }, NodeRepository, NodeMetricsRepository, NodesService],
      exports: [NodesService],
    };
  }
}
