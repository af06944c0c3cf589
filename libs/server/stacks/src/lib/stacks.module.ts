import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StackEntity } from './stack.entity';
import { StackRepository } from './stack.repository';
import { StacksController } from './stacks.controller';
import { StacksService } from './stacks.service';

@Module({
  imports: [TypeOrmModule.forFeature([StackEntity])],
  controllers: [StacksController],
  providers: [StackRepository, StacksService],
  exports: [StacksService],
})
export class StacksModule {}
