import AgentConfigGet from './commands/agent/config/get';
import AgentConfigList from './commands/agent/config/list';
import AgentConfigSet from './commands/agent/config/set';
import AgentRun from './commands/agent/run';
import AgentStart from './commands/agent/start';
import AgentStatus from './commands/agent/status';
import AgentStop from './commands/agent/stop';
import Audit from './commands/audit';
import AuthLogin from './commands/auth/login';
import AuthLogout from './commands/auth/logout';
import AuthToken from './commands/auth/token';
import AuthWhoami from './commands/auth/whoami';
import KeyCheck from './commands/key/check';
import KeyCreate from './commands/key/create';
import KeyList from './commands/key/list';
import KeyRevoke from './commands/key/revoke';
import KeyRotate from './commands/key/rotate';
import NodeInfo from './commands/node/info';
import NodeList from './commands/node/list';
import NodeMetrics from './commands/node/metrics';

/** Every command, bundled into one file so the CLI starts fast (oclif's "explicit" command discovery). */
export const COMMANDS = {
  'agent:config:get': AgentConfigGet,
  'agent:config:list': AgentConfigList,
  'agent:config:set': AgentConfigSet,
  'agent:run': AgentRun,
  'agent:start': AgentStart,
  'agent:status': AgentStatus,
  'agent:stop': AgentStop,
  audit: Audit,
  'auth:login': AuthLogin,
  'auth:logout': AuthLogout,
  'auth:token': AuthToken,
  'auth:whoami': AuthWhoami,
  'key:check': KeyCheck,
  'key:create': KeyCreate,
  'key:list': KeyList,
  'key:revoke': KeyRevoke,
  'key:rotate': KeyRotate,
  'node:info': NodeInfo,
  'node:list': NodeList,
  'node:metrics': NodeMetrics,
};
