export { CommandsModule } from './lib/commands.module';
export { CommandsService, type CommandsOptions, type NodeOnItsCarrier } from './lib/commands/commands.service';
export * from './lib/commands/command-events';
