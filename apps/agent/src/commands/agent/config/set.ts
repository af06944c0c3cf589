import { Args } from '@oclif/core';
import { ThreshCommand } from '../../../lib/thresh-command';
import { CONFIG_KEY_NAMES, CONFIG_KEYS, ConfigValueError, displayConfigValue, isConfigKey, parseConfigValue, setAgentConfigValue } from '../../../lib/agent-config';
import { EXIT } from '../../../lib/exit-codes';
import { agentPaths } from '../../../lib/paths';

export default class AgentConfigSet extends ThreshCommand {
  static override summary = 'Change one agent setting';
  static override description = `Settings:\n${CONFIG_KEY_NAMES.map((key) => `  ${key.padEnd(17)}${CONFIG_KEYS[key].description}`).join('\n')}\n\nA bad key or value changes nothing and exits with code 2. A running agent picks up changes when restarted.`;
  static override examples = [
    '<%= config.bin %> agent config set midtier-url http://midtier.example.com:5000',
    '<%= config.bin %> agent config set api-key thresh_live_default_…',
    '<%= config.bin %> agent config set metrics-interval 10',
  ];
  static override enableJsonFlag = true;
  static override args = {
    key: Args.string({ description: 'setting name', required: true }),
    value: Args.string({ description: 'new value', required: true }),
  };

  async run(): Promise<{ key: string; value: string; file: string }> {
    const { args } = await this.parse(AgentConfigSet);
    if (!isConfigKey(args.key)) {
      this.error(`Unknown setting "${args.key}". Known settings: ${CONFIG_KEY_NAMES.join(', ')}`, { exit: EXIT.usage });
    }
    let value;
    try {
      value = parseConfigValue(args.key, args.value);
    } catch (error) {
      if (error instanceof ConfigValueError) this.error(error.message, { exit: EXIT.usage });
      throw error;
    }
    setAgentConfigValue(args.key, value);
    const shown = displayConfigValue(args.key, value);
    this.log(`${args.key} = ${shown}`);
    return { key: args.key, value: shown, file: agentPaths().config };
  }
}
