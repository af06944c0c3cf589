import { Route } from '@angular/router';
import { authGuard } from './core/auth.guard';
import { Login } from './login/login';
import { NodesPage } from './nodes/nodes-page';

export const appRoutes: Route[] = [
  { path: 'login', component: Login, title: 'Log in · Thresh Hub' },
  { path: 'nodes', component: NodesPage, canActivate: [authGuard], title: 'Nodes · Thresh Hub' },
  { path: '', pathMatch: 'full', redirectTo: 'nodes' },
  { path: '**', redirectTo: 'nodes' },
];
