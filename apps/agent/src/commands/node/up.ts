import { Args, Flags } from '@oclif/core';
import type { CommandResponse, EnvironmentInfo } from '@thresh/protocol';
import { RUNTIME_DRIVERS } from '@thresh/protocol';
import { NodeActionCommand } from '../../lib/node-action-command';
import { environmentSummary } from '../../lib/environment-format';

export default class NodeUp extends NodeActionCommand {
  static override summary = 'Deploy a blueprint on a node as a new environment';
  static override description =
    'The hub stores the deployment and hands it to the node through its mid-tier; each step is printed as the node ' +
    'completes it, and the command exits 0 once the environment is up (5 when it failed). A node that is offline gets ' +
    'the deployment when it comes back, within --ttl. "thresh node blueprints <node>" lists what a node can deploy.';
  static override examples = [
    '<%= config.bin %> node up build-7 python-dev --name notebooks',
    '<%= config.bin %> node up build-7 my-api --name api --driver process --timeout 10m',
    '<%= config.bin %> node up build-7 node-dev --name web --no-wait --json',
  ];
  static override args = {
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
    blueprint: Args.string({ description: 'blueprint name (built-in, or a file in the node\'s $THRESH_HOME/blueprints)', required: true }),
  };
  static override flags = {
    name: Flags.string({ char: 'n', description: 'name of the new environment (lowercase letters, digits, "-", "_")', required: true }),
    driver: Flags.option({ options: RUNTIME_DRIVERS, description: 'runtime driver (default: docker where the node has an engine, else process)' })(),
    ttl: Flags.integer({ description: 'seconds the deployment waits for an offline node (default: the hub\'s, 1 hour)', min: 1 }),
  };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(NodeUp);
    const client = await this.client(flags.hub);
    const command = await client.request<CommandResponse>('POST', `/api/nodes/${encodeURIComponent(args.node)}/up`, {
      blueprint: args.blueprint,
      name: flags.name,
      ...(flags.driver ? { driver: flags.driver } : {}),
      ...(flags.ttl ? { ttlSeconds: flags.ttl } : {}),
    });
    this.log(`Deploying ${args.blueprint} as "${flags.name}" on ${command.nodeName} (command ${command.id})`);
    return this.follow(client, command, flags, (done) => `Environment ${environmentSummary((done.result as { environment: EnvironmentInfo }).environment)}`);
  }
}
