export * from './lib/nodes.module';
export * from './lib/nodes.service';
export * from './lib/node.entity';
export * from './lib/node-events';
export type { Attachment, StatusRow } from './lib/node.repository';
