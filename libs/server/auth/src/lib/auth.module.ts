import { DynamicModule, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountEntity } from './accounts/account.entity';
import { AccountRepository } from './accounts/account.repository';
import { AccountsService } from './accounts/accounts.service';
import { AUTH_OPTIONS, AuthOptions } from './auth.options';
import { ApiKeyEntity } from './credentials/api-key.entity';
import { ApiKeyRepository } from './credentials/api-key.repository';
import { CredentialEvents } from './credentials/credential-events';
import { CredentialsService } from './credentials/credentials.service';
import { UserTokenStrategy } from './guards/user-token.strategy';
import { AuthController } from './login/auth.controller';
import { LoginService } from './login/login.service';
import { BootstrapAdminService } from './users/bootstrap-admin.service';
import { PasswordHasher } from './users/password-hasher';
import { UserEntity } from './users/user.entity';
import { UserRepository } from './users/user.repository';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [PassportModule, TypeOrmModule.forFeature([AccountEntity, UserEntity, ApiKeyEntity])],
      controllers: [AuthController, UsersController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        AccountRepository,
        AccountsService,
        UserRepository,
        ApiKeyRepository,
        PasswordHasher,
        CredentialEvents,
        CredentialsService,
        LoginService,
        UsersService,
        UserTokenStrategy,
        BootstrapAdminService,
      ],
      exports: [AUTH_OPTIONS, AccountsService, UsersService, CredentialEvents, CredentialsService],
    };
  }
}
