import { CONFIG_DEFAULTS, CONFIG_KEY_NAMES, displayConfigValue, loadAgentConfig } from '../../../lib/agent-config';
import { ThreshCommand } from '../../../lib/thresh-command';
import { agentPaths } from '../../../lib/paths';

interface ConfigRow {
  key: string;
  value: string | null;
  default: boolean;
}

export default class AgentConfigList extends ThreshCommand {
  static override summary = 'Show every agent setting (the api-key masked)';
  static override examples = ['<%= config.bin %> agent config list', '<%= config.bin %> agent config list --json'];
  static override enableJsonFlag = true;

  async run(): Promise<{ file: string; settings: ConfigRow[] }> {
    await this.parse(AgentConfigList);
    const config = loadAgentConfig();
    const settings = CONFIG_KEY_NAMES.map((key) => ({
      key,
      value: config[key] === undefined ? null : displayConfigValue(key, config[key]),
      default: config[key] === CONFIG_DEFAULTS[key],
    }));
    this.logTable(['SETTING', 'VALUE'], settings.map((row) => [row.key, `${row.value ?? '(not set)'}${row.default ? ' (default)' : ''}`]));
    this.log(`Stored in ${agentPaths().config}`);
    return { file: agentPaths().config, settings };
  }
}
