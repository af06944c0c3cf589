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
import Blueprints from './commands/blueprints';
import ClusterAddNode from './commands/cluster/add-node';
import ClusterCreate from './commands/cluster/create';
import ClusterDelete from './commands/cluster/delete';
import ClusterInfo from './commands/cluster/info';
import ClusterList from './commands/cluster/list';
import ClusterRemoveNode from './commands/cluster/remove-node';
import ClusterUp from './commands/cluster/up';
import CommandCancel from './commands/command/cancel';
import CommandInfo from './commands/command/info';
import CommandList from './commands/command/list';
import Destroy from './commands/destroy';
import KeyCheck from './commands/key/check';
import KeyCreate from './commands/key/create';
import KeyList from './commands/key/list';
import KeyRevoke from './commands/key/revoke';
import KeyRotate from './commands/key/rotate';
import List from './commands/list';
import NodeBlueprints from './commands/node/blueprints';
import NodeEnvDestroy from './commands/node/env/destroy';
import NodeEnvStart from './commands/node/env/start';
import NodeEnvStop from './commands/node/env/stop';
import NodeEnvironments from './commands/node/environments';
import NodeInfo from './commands/node/info';
import NodeList from './commands/node/list';
import NodeMetrics from './commands/node/metrics';
import NodeRename from './commands/node/rename';
import NodeResetIdentity from './commands/node/reset-identity';
import NodeUp from './commands/node/up';
import StackDeploy from './commands/stack/deploy';
import StackDestroy from './commands/stack/destroy';
import StackInfo from './commands/stack/info';
import StackList from './commands/stack/list';
import StackStop from './commands/stack/stop';
import Up from './commands/up';

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
  blueprints: Blueprints,
  'cluster:add-node': ClusterAddNode,
  'cluster:create': ClusterCreate,
  'cluster:delete': ClusterDelete,
  'cluster:info': ClusterInfo,
  'cluster:list': ClusterList,
  'cluster:remove-node': ClusterRemoveNode,
  'cluster:up': ClusterUp,
  'command:cancel': CommandCancel,
  'command:info': CommandInfo,
  'command:list': CommandList,
  destroy: Destroy,
  'key:check': KeyCheck,
  'key:create': KeyCreate,
  'key:list': KeyList,
  'key:revoke': KeyRevoke,
  'key:rotate': KeyRotate,
  list: List,
  'node:blueprints': NodeBlueprints,
  'node:env:destroy': NodeEnvDestroy,
  'node:env:start': NodeEnvStart,
  'node:env:stop': NodeEnvStop,
  'node:environments': NodeEnvironments,
  'node:info': NodeInfo,
  'node:list': NodeList,
  'node:metrics': NodeMetrics,
  'node:rename': NodeRename,
  'node:reset-identity': NodeResetIdentity,
  'node:up': NodeUp,
  'stack:deploy': StackDeploy,
  'stack:destroy': StackDestroy,
  'stack:info': StackInfo,
  'stack:list': StackList,
  'stack:stop': StackStop,
  up: Up,
};
