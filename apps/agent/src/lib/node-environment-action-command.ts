import { Args } from '@oclif/core';
import type { CommandResponse, EnvironmentInfo } from '@thresh/protocol';
import { environmentSummary } from './environment-format';
import { NodeActionCommand } from './node-action-command';

/** `thresh node env start|stop|destroy <node> <env>`: one request to the hub, then the command followed to its end. */
export abstract class NodeEnvironmentActionCommand extends NodeActionCommand {
  static override args = {
    node: Args.string({ description: 'node name, id, or a unique prefix of its id', required: true }),
    environment: Args.string({ description: 'environment name', required: true }),
  };

  protected abstract readonly request: { method: 'POST' | 'DELETE'; suffix: string; verb: string };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(NodeEnvironmentActionCommand);
    const client = await this.client(flags.hub);
    const path = `/api/nodes/${encodeURIComponent(args.node)}/environments/${encodeURIComponent(args.environment)}${this.request.suffix}`;
    const command = await client.request<CommandResponse>(this.request.method, path);
    this.log(`${this.request.verb} ${args.environment} on ${command.nodeName} (command ${command.id})`);
    return this.follow(client, command, flags, (done) =>
      done.kind === 'environment.destroy'
        ? `Environment ${args.environment} destroyed on ${done.nodeName}`
        : `Environment ${environmentSummary((done.result as { environment: EnvironmentInfo }).environment)}`,
    );
  }
}
