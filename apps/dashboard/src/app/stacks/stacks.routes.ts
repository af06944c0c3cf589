import { Route } from '@angular/router';

/**
 * The stacks pages, mounted under `stacks` (behind the auth guard, with component input binding: `:name` arrives as
 * the stack page's `name` input). Each page loads when first opened. `deploy` comes before `:name`, so it is never
 * taken for a stack's name.
 */
export const STACKS_ROUTES: Route[] = [
  { path: '', pathMatch: 'full', loadComponent: () => import('./stack-list/stack-list-page').then((page) => page.StackListPage), title: 'Stacks · Thresh Hub' },
  { path: 'deploy', loadComponent: () => import('./stack-deploy/stack-deploy-page').then((page) => page.StackDeployPage), title: 'Deploy a stack · Thresh Hub' },
  { path: ':name', loadComponent: () => import('./stack-detail/stack-detail-page').then((page) => page.StackDetailPage), title: 'Stack · Thresh Hub' },
];
