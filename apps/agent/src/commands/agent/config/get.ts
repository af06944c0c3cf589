import { Args, Flags } from '@oclif/core';
import { ThreshCommand } from '../../../lib/thresh-command';
import { CONFIG_KEY_NAMES, displayConfigValue, isConfigKey, loadAgentConfig } from '../../../lib/agent-config';
import { EXIT } from '../../../lib/exit-codes';

export default class AgentConfigGet extends ThreshCommand {
  static override summary = 'Print one agent setting';
  static override description = 'The api-key is masked unless --reveal is given.';
  static override examples = ['<%= config.bin %> agent config get midtier-url', '<%= config.bin %> agent config get api-key --reveal'];
  static override enableJsonFlag = true;
  static override args = { key: Args.string({ description: `one of: ${CONFIG_KEY_NAMES.join(', ')}`, required: true }) };
  static override flags = { reveal: Flags.boolean({ description: 'print the api-key in full' }) };

  async run(): Promise<{ key: string; value: string | number | boolean | null }> {
    const { args, flags } = await this.parse(AgentConfigGet);
    if (!isConfigKey(args.key)) {
      this.error(`Unknown setting "${args.key}". Known settings: ${CONFIG_KEY_NAMES.join(', ')}`, { exit: EXIT.usage });
    }
    const value = loadAgentConfig()[args.key];
    const shown = flags.reveal || args.key !== 'api-key' ? value : value === undefined ? undefined : displayConfigValue(args.key, value);
    this.log(shown === undefined ? '(not set)' : String(shown));
    return { key: args.key, value: shown ?? null };
  }
}
