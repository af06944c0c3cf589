import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NodeEntity } from './node.entity';
import { NodeEvents } from './node-events';
import { NodeRepository } from './node.repository';
import { NodesController } from './nodes.controller';
import { NODES_OPTIONS, NodesOptions, NodesService } from './nodes.service';

@Module({})
export class NodesModule {
  static forRoot(options: NodesOptions): DynamicModule {
    return {
      module: NodesModule,
      global: true,
      imports: [TypeOrmModule.forFeature([NodeEntity])],
      controllers: [NodesController],
      providers: [{ provide: NODES_OPTIONS, useValue: options }, NodeRepository, NodeEvents, NodesService],
      exports: [NodesService, NodeEvents],
    };
  }
}
