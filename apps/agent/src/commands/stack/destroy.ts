import { Args, Flags } from '@oclif/core';
import { HubCommand } from '../../lib/hub-command';

export default class StackDestroy extends HubCommand {
  static override summary = 'Forget a stack: its services are stopped, and with --volumes removed with their data';
  static override examples = ['<%= config.bin %> stack destroy webapp', '<%= config.bin %> stack destroy webapp --volumes'];
  static override args = { name: Args.string({ description: 'stack name', required: true }) };
  static override flags = { volumes: Flags.boolean({ description: "also remove the services' environments and volumes" }) };

  async run(): Promise<{ commandId: string | null }> {
    const { args, flags } = await this.parse(StackDestroy);
    const result = await (await this.client(flags.hub)).request<{ commandId: string | null }>(
      'DELETE',
      `/api/stacks/${encodeURIComponent(args.name)}?destroy=${flags.volumes ? 'true' : 'false'}`,
    );
    this.log(`Stack ${args.name} forgotten; its services are being ${flags.volumes ? 'removed with their volumes' : 'stopped'}${result.commandId ? ` (command ${result.commandId})` : ''}`);
    return result;
  }
}
