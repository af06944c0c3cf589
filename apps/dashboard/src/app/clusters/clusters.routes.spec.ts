import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LiveService } from '../core/live.service';
import { FakeLive } from '../fleet/fleet-testing';
import { ClusterPage } from './cluster-page';
import { ClustersPage } from './clusters-page';
import { CLUSTERS_ROUTES } from './clusters.routes';
import { signIn } from '../core/testing';
import { cluster, clusterDetail } from './clusters-testing';

describe('CLUSTERS_ROUTES', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    signIn('viewer', 'viewer');
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: 'clusters', children: CLUSTERS_ROUTES }], withComponentInputBinding()),
        { provide: LiveService, useValue: new FakeLive() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
    localStorage.clear();
  });

  it('shows the list under /clusters, and a cluster by the name in its address', async () => {
    const harness = await RouterTestingHarness.create();
    const list = await harness.navigateByUrl('/clusters', ClustersPage);
    http.expectOne('/api/clusters').flush([cluster('edge')]);
    expect(list).toBeInstanceOf(ClustersPage);
    expect(TestBed.inject(Title).getTitle()).toBe('Clusters · Thresh Hub');

    const detail = await harness.navigateByUrl('/clusters/edge', ClusterPage);
    expect(detail.name()).toBe('edge');
    http.expectOne('/api/clusters/edge').flush(clusterDetail('edge', []));
    expect(TestBed.inject(Title).getTitle()).toBe('edge · Clusters · Thresh Hub');

    // Only the name changes: the same page reads the other cluster.
    const other = await harness.navigateByUrl('/clusters/core', ClusterPage);
    expect(other).toBe(detail);
    http.expectOne('/api/clusters/core').flush(clusterDetail('core', []));
    await new Promise((resolve) => setTimeout(resolve, 0));
    harness.detectChanges();
    expect(harness.routeNativeElement?.querySelector('h2')?.textContent).toBe('core');
  });
});
