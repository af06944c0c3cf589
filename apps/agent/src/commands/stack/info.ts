import { Args } from '@oclif/core';
import type { StackResponse } from '@thresh/protocol';
import { labelled } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';
import { servicesTable } from '../../lib/stack-format';

export default class StackInfo extends HubCommand {
  static override summary = 'Show one stack: status, node, and each service with its status, timings and error';
  static override examples = ['<%= config.bin %> stack info webapp', '<%= config.bin %> stack info webapp --json'];
  static override args = { name: Args.string({ description: 'stack name', required: true }) };

  async run(): Promise<StackResponse> {
    const { args, flags } = await this.parse(StackInfo);
    const stack = await (await this.client(flags.hub)).request<StackResponse>('GET', `/api/stacks/${encodeURIComponent(args.name)}`);
    this.log(
      labelled([
        ['Name', stack.name],
        ['Status', stack.status],
        ['Node', stack.node ?? '-'],
        ['On Failure', stack.onFailure],
        ['Deployed By', stack.deployedBy ?? '-'],
        ['Updated', stack.updatedAt],
        ...(stack.error ? ([['Error', stack.error]] as [string, string][]) : []),
      ]),
    );
    this.log('');
    this.log(servicesTable(stack));
    return stack;
  }
}
