import { NodeEnvironmentActionCommand } from '../../../lib/node-environment-action-command';

export default class NodeEnvStop extends NodeEnvironmentActionCommand {
  static override summary = "Stop an environment's command on a node (the environment stays)";
  static override examples = ['<%= config.bin %> node env stop build-7 web', '<%= config.bin %> node env stop build-7 web --no-wait --json'];

  protected readonly request = { method: 'POST', suffix: '/stop', verb: 'Stopping' } as const;
}
