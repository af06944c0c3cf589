import { NodeEnvironmentActionCommand } from '../../../lib/node-environment-action-command';

export default class NodeEnvDestroy extends NodeEnvironmentActionCommand {
  static override summary = "Destroy an environment on a node, with its volumes";
  static override examples = ['<%= config.bin %> node env destroy build-7 web', '<%= config.bin %> node env destroy build-7 web --no-wait --json'];

  protected readonly request = { method: 'DELETE', suffix: '', verb: 'Destroying' } as const;
}
