import { ActivatedRouteSnapshot, Route } from '@angular/router';
import { ClusterPage } from './cluster-page';
import { ClustersPage } from './clusters-page';

/** The tab's title names the cluster open. */
export function clusterTitle(route: ActivatedRouteSnapshot): string {
  const name = route.paramMap.get('name');
  return name ? `${name} · Clusters · Thresh Hub` : 'Cluster · Thresh Hub';
}

/** The Clusters pages, to mount under `clusters` (with `withComponentInputBinding()`, so `:name` reaches ClusterPage's `name`). */
export const CLUSTERS_ROUTES: Route[] = [
  { path: '', pathMatch: 'full', component: ClustersPage, title: 'Clusters · Thresh Hub' },
  { path: ':name', component: ClusterPage, title: clusterTitle },
];
