import type { BlueprintSummary } from '@thresh/protocol';
import { BlueprintCatalog } from '../lib/blueprints/blueprint-catalog';
import { blueprintsTable } from '../lib/environment-format';
import { LocalEnvironmentCommand } from '../lib/local-environment-command';
import { agentPaths } from '../lib/paths';

export default class Blueprints extends LocalEnvironmentCommand {
  static override summary = 'List the blueprints this machine can deploy';
  static override description =
    'Built-in blueprints and the JSON or YAML files in $THRESH_HOME/blueprints (a file wins over a built-in of the same ' +
    'name). A file that is not a valid blueprint is listed with the field that is wrong.';
  static override examples = ['<%= config.bin %> blueprints', '<%= config.bin %> blueprints --json'];

  async run(): Promise<{ blueprints: BlueprintSummary[]; problems: { file: string; message: string }[] }> {
    await this.parse(Blueprints);
    const catalog = new BlueprintCatalog(agentPaths().blueprints);
    const { problems } = catalog.entries();
    const blueprints = catalog.summaries();
    this.log(blueprintsTable(blueprints));
    for (const problem of problems) this.logToStderr(`skipped ${problem.message}`);
    return { blueprints, problems };
  }
}
