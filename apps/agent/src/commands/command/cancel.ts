import { Args } from '@oclif/core';
import type { CommandResponse } from '@thresh/protocol';
import { HubCommand } from '../../lib/hub-command';

export default class CommandCancel extends HubCommand {
  static override summary = 'Cancel a command: one not yet started at once; a running one is asked to stop on its node';
  static override examples = ['<%= config.bin %> command cancel 0b6f5c1e-8f7a-4a43-a0b5-55f2f1c8e0d2'];
  static override args = { id: Args.string({ description: 'command id', required: true }) };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(CommandCancel);
    const command = await (await this.client(flags.hub)).request<CommandResponse>('POST', `/api/commands/${encodeURIComponent(args.id)}/cancel`);
    this.log(
      command.state === 'cancelled'
        ? `Cancelled ${command.kind} on ${command.nodeName}`
        : `Asked ${command.nodeName} to stop ${command.kind}; it is still ${command.state} (follow it: thresh command info ${command.id})`,
    );
    return command;
  }
}
