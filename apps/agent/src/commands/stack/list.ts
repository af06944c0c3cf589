import type { StackSummary } from '@thresh/protocol';
import { formatAgo } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';

export default class StackList extends HubCommand {
  static override summary = 'List stacks with their status';
  static override examples = ['<%= config.bin %> stack list', '<%= config.bin %> stack list --json'];

  async run(): Promise<StackSummary[]> {
    const { flags } = await this.parse(StackList);
    const stacks = await (await this.client(flags.hub)).request<StackSummary[]>('GET', '/api/stacks');
    this.logTable(
      ['NAME', 'STATUS', 'HEALTHY', 'NODE', 'UPDATED'],
      stacks.map((stack) => [stack.name, stack.status, `${stack.healthy}/${stack.services}`, stack.node ?? '-', formatAgo(stack.updatedAt)]),
      'No stacks yet (deploy one: thresh stack deploy -f stack.yaml --wait)',
    );
    return stacks;
  }
}
