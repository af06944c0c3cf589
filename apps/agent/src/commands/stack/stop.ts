import { Args } from '@oclif/core';
import type { StackResponse } from '@thresh/protocol';
import { HubCommand } from '../../lib/hub-command';

export default class StackStop extends HubCommand {
  static override summary = "Stop a stack's services in reverse dependency order (deploy it again to start them)";
  static override examples = ['<%= config.bin %> stack stop webapp'];
  static override args = { name: Args.string({ description: 'stack name', required: true }) };

  async run(): Promise<StackResponse> {
    const { args, flags } = await this.parse(StackStop);
    const stack = await (await this.client(flags.hub)).request<StackResponse>('POST', `/api/stacks/${encodeURIComponent(args.name)}/stop`);
    this.log(`Stopping stack ${stack.name} on ${stack.node ?? 'its node'} (command ${stack.commandId})`);
    return stack;
  }
}
