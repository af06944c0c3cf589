import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterEntity } from './cluster.entity';
import { ClusterRepository } from './cluster.repository';
import { ClustersController } from './clusters.controller';
import { ClustersService } from './clusters.service';

@Module({
  imports: [TypeOrmModule.forFeature([ClusterEntity])],
  controllers: [ClustersController],
  providers: [ClusterRepository, ClustersService],
  exports: [ClustersService],
})
export class ClustersModule {}
