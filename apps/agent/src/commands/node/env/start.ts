import { NodeEnvironmentActionCommand } from '../../../lib/node-environment-action-command';

export default class NodeEnvStart extends NodeEnvironmentActionCommand {
  static override summary = "Start a stopped environment's command on a node";
  static override examples = ['<%= config.bin %> node env start build-7 web', '<%= config.bin %> node env start build-7 web --no-wait --json'];

  protected readonly request = { method: 'POST', suffix: '/start', verb: 'Starting' } as const;
}
