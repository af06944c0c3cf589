import { confirm } from '@inquirer/prompts';
import { Args, Flags } from '@oclif/core';
import { EXIT } from '../lib/exit-codes';
import { localEnvironments } from '../lib/environments/local-environments';
import { LocalEnvironmentCommand } from '../lib/local-environment-command';

export default class Destroy extends LocalEnvironmentCommand {
  static override summary = 'Destroy an environment on this machine, with its volumes';
  static override examples = ['<%= config.bin %> destroy notebooks', '<%= config.bin %> destroy notebooks --yes'];
  static override args = { environment: Args.string({ description: 'environment name', required: true }) };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<{ destroyed: string }> {
    const { args, flags } = await this.parse(Destroy);
    if (!flags.yes) {
      if (!process.stdin.isTTY) this.error(`Add --yes to destroy "${args.environment}" and its volumes`, { exit: EXIT.usage });
      if (!(await confirm({ message: `Destroy environment "${args.environment}" with its files and volumes?`, default: false }))) {
        this.error('Nothing destroyed', { exit: EXIT.failure });
      }
    }
    await localEnvironments().manager.destroy(args.environment);
    this.log(`Environment ${args.environment} destroyed`);
    return { destroyed: args.environment };
  }
}
