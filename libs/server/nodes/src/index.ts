export { NodesModule } from './lib/nodes.module';
export { NodesService, type NodesOptions } from './lib/nodes.service';
export type * from './lib/nodes.contract';
export { NodeEvents, type NodeStatusChange } from './lib/node-events';
