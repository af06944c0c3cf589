export * from './lib/config/load-config';
export * from './lib/database/database-options';
export * from './lib/http/app.exception';
export * from './lib/http/api-exception.filter';
export * from './lib/http/zod-validation.pipe';
export * from './lib/http/api-schema.decorators';
export * from './lib/socket/socket-ack';
export * from './lib/security/failure-limiter';
