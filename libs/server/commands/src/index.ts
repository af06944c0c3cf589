export * from './lib/commands.module';
export * from './lib/commands/commands.service';
export * from './lib/commands/command-events';
