import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommandEntity } from './commands/command.entity';
import { CommandEvents } from './commands/command-events';
import { CommandRepository } from './commands/command.repository';
import { CommandsController } from './commands/commands.controller';
import { COMMANDS_OPTIONS, CommandsOptions, CommandsService } from './commands/commands.service';
import { NodeEnvironmentsController } from './node-environments/node-environments.controller';
import { NodeEnvironmentsService } from './node-environments/node-environments.service';

/** Commands for nodes (stored, handed down, answered once) and the node environment actions built on them. */
@Module({})
export class CommandsModule {
  static forRoot(options: CommandsOptions): DynamicModule {
    return {
      module: CommandsModule,
      // Stacks and other features send commands of their own.
      global: true,
      imports: [TypeOrmModule.forFeature([CommandEntity])],
      controllers: [CommandsController, NodeEnvironmentsController],
      providers: [{ provide: COMMANDS_OPTIONS, useValue: options }, CommandEvents, CommandRepository, CommandsService, NodeEnvironmentsService],
      exports: [CommandsService, CommandEvents],
    };
  }
}
