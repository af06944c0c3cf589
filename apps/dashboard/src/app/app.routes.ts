import { Route } from '@angular/router';
import { authGuard } from './core/auth.guard';
import { Login } from './login/login';
import { FleetPage } from './fleet/fleet-page';

export const appRoutes: Route[] = [
  { path: 'login', component: Login, title: 'Log in · Thresh Hub' },
  { path: 'nodes', component: FleetPage, canActivate: [authGuard], title: 'Fleet · Thresh Hub' },
  // Loaded when first opened: its charting library stays out of the first download.
  { path: 'nodes/:name', loadComponent: () => import('./node-detail/node-detail-page').then((page) => page.NodeDetailPage), canActivate: [authGuard], title: 'Node · Thresh Hub' },
  { path: 'clusters', canActivate: [authGuard], loadChildren: () => import('./clusters/clusters.routes').then((routes) => routes.CLUSTERS_ROUTES) },
  { path: 'stacks', canActivate: [authGuard], loadChildren: () => import('./stacks/stacks.routes').then((routes) => routes.STACKS_ROUTES) },
  { path: 'settings', canActivate: [authGuard], loadChildren: () => import('./settings/settings.routes').then((routes) => routes.SETTINGS_ROUTES) },
  { path: '', pathMatch: 'full', redirectTo: 'nodes' },
  { path: '**', redirectTo: 'nodes' },
];
