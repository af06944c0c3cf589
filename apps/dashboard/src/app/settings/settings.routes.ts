import { Route } from '@angular/router';
import { ApiKeysPage } from './api-keys/api-keys-page';
import { AuditPage } from './audit/audit-page';
import { UsersPage } from './users/users-page';

/** The settings pages, mounted under `settings` behind the auth guard; each tells a non-admin what it is for. */
export const SETTINGS_ROUTES: Route[] = [
  { path: 'keys', component: ApiKeysPage, title: 'API keys · Thresh Hub' },
  { path: 'users', component: UsersPage, title: 'Users · Thresh Hub' },
  { path: 'audit', component: AuditPage, title: 'Audit log · Thresh Hub' },
  { path: '', pathMatch: 'full', redirectTo: 'keys' },
];
