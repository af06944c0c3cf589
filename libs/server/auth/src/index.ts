export * from './lib/auth.module';
export * from './lib/auth.options';
export * from './lib/accounts/account.entity';
export * from './lib/credentials/api-key.entity';
export * from './lib/credentials/api-key.repository';
export * from './lib/credentials/credentials.service';
export * from './lib/guards/auth-user';
export * from './lib/guards/decorators';
