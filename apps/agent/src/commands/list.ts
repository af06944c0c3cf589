import type { EnvironmentInfo } from '@thresh/protocol';
import { environmentsTable } from '../lib/environment-format';
import { localEnvironments } from '../lib/environments/local-environments';
import { LocalEnvironmentCommand } from '../lib/local-environment-command';

export default class List extends LocalEnvironmentCommand {
  static override summary = "List this machine's environments";
  static override examples = ['<%= config.bin %> list', '<%= config.bin %> list --json'];

  async run(): Promise<EnvironmentInfo[]> {
    await this.parse(List);
    const environments = await localEnvironments().manager.list();
    this.log(environments.length ? environmentsTable(environments) : 'No environments here yet (deploy one: thresh up <blueprint> --name <env>)');
    return environments;
  }
}
