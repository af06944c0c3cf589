import AgentConfigGet from './commands/agent/config/get';
import AgentConfigList from './commands/agent/config/list';
import AgentConfigSet from './commands/agent/config/set';
import AgentRun from './commands/agent/run';
import AgentStart from './commands/agent/start';
import AgentStatus from './commands/agent/status';
import AgentStop from './commands/agent/stop';

/** Every command, bundled into one file so the CLI starts fast (oclif's "explicit" command discovery). */
export const COMMANDS = {
  'agent:config:get': AgentConfigGet,
  'agent:config:list': AgentConfigList,
  'agent:config:set': AgentConfigSet,
  'agent:run': AgentRun,
  'agent:start': AgentStart,
  'agent:status': AgentStatus,
  'agent:stop': AgentStop,
};
