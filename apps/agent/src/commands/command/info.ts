import { Args } from '@oclif/core';
import type { CommandResponse } from '@thresh/protocol';
import { describeStep, outputTail } from '../../lib/command-progress';
import { labelled } from '../../lib/format';
import { HubCommand } from '../../lib/hub-command';

export default class CommandInfo extends HubCommand {
  static override summary = 'Show one command: state, steps, output and result';
  static override examples = ['<%= config.bin %> command info 0b6f5c1e-8f7a-4a43-a0b5-55f2f1c8e0d2'];
  static override args = { id: Args.string({ description: 'command id', required: true }) };

  async run(): Promise<CommandResponse> {
    const { args, flags } = await this.parse(CommandInfo);
    const command = await (await this.client(flags.hub)).request<CommandResponse>('GET', `/api/commands/${encodeURIComponent(args.id)}`);
    this.log(
      labelled([
        ['ID', command.id],
        ['Node', command.nodeName],
        ['Kind', command.kind],
        ['Payload', JSON.stringify(command.payload)],
        ['State', command.state],
        ['By', command.createdBy],
        ['Created', command.createdAt],
        ['Started', command.startedAt ?? '-'],
        ['Finished', command.finishedAt ?? '-'],
        ['Expires', command.expiresAt],
        ...(command.error ? ([['Error', command.error]] as [string, string][]) : []),
      ]),
    );
    if (command.steps.length) this.log(`Steps:\n${command.steps.map((step) => `  ${describeStep(step)}`).join('\n')}`);
    this.log(`Output:\n${outputTail(command.output, 50)}`);
    return command;
  }
}
