export * from './lib/keys.module';
export * from './lib/keys.service';
