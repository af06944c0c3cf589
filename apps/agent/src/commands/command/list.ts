import { Flags } from '@oclif/core';
import type { CommandListResponse } from '@thresh/protocol';
import { COMMAND_STATES } from '@thresh/protocol';
import { formatAgo } from '../../lib/format';
import { NodeCommand } from '../../lib/node-command';

export default class CommandList extends NodeCommand {
  static override summary = 'List commands sent to nodes, newest first';
  static override examples = ['<%= config.bin %> command list', '<%= config.bin %> command list --node build-7 --state failed', '<%= config.bin %> command list --json'];
  static override flags = {
    node: Flags.string({ description: 'only this node (name, id or unique id prefix)' }),
    state: Flags.option({ options: COMMAND_STATES, description: 'only commands in this state' })(),
    limit: Flags.integer({ description: 'how many', default: 20, min: 1, max: 500 }),
  };

  async run(): Promise<CommandListResponse> {
    const { flags } = await this.parse(CommandList);
    const query = new URLSearchParams({ limit: String(flags.limit), ...(flags.node ? { node: flags.node } : {}), ...(flags.state ? { state: flags.state } : {}) });
    const list = await (await this.client(flags.hub)).request<CommandListResponse>('GET', `/api/commands?${query}`);
    this.logTable(
      ['ID', 'NODE', 'KIND', 'STATE', 'BY', 'CREATED'],
      list.items.map((command) => [command.id, command.nodeName, command.kind, command.state, command.createdBy, formatAgo(command.createdAt)]),
    );
    this.log(`${list.items.length} of ${list.total} command(s)`);
    return list;
  }
}
