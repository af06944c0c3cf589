export { AuthModule } from './lib/auth.module';
export type { AuthOptions } from './lib/auth.options';
export { AccountsService } from './lib/accounts/accounts.service';
export { CredentialsService, type KeyRecord, type VerifiedCredential, type IssueCredentialOptions } from './lib/credentials/credentials.service';
export { CredentialEvents } from './lib/credentials/credential-events';
export { UsersService } from './lib/users/users.service';
export * from './lib/guards/auth-user';
export * from './lib/guards/decorators';
export * from './lib/guards/session-cookie';
