export * from './lib/nodes.module';
export * from './lib/nodes.service';
export * from './lib/node.entity';
