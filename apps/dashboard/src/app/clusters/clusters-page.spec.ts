import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { UserRole } from '@thresh/protocol';
import { ClustersPage } from './clusters-page';
import { settleFully, signIn, textsOf } from '../core/testing';
import { cluster } from './clusters-testing';

describe('ClustersPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ClustersPage>;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    fixture?.destroy();
    http.verify();
    localStorage.clear();
  });

  const settle = () => settleFully(fixture);
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => textsOf(page(), selector);
  const button = (selector: string) => {
    const found = page().querySelector<HTMLButtonElement>(selector);
    if (!found) throw new Error(`no ${selector} button`);
    return found;
  };
  const request = (method: string, url: string): TestRequest => http.expectOne((candidate) => candidate.method === method && candidate.url === url);
  const hubError = (status: number, code: string, message: string) => [{ statusCode: status, code, message }, { status, statusText: code }] as const;

  async function render(role: UserRole, clusters: unknown = [cluster('web', { description: 'Web servers', nodeCount: 3 }), cluster('edge', { nodeCount: 1 })]): Promise<void> {
    signIn(role, role);
    fixture = TestBed.createComponent(ClustersPage);
    fixture.detectChanges();
    expect(text('[role=status]')).toContain('Loading clusters…');
    request('GET', '/api/clusters').flush(clusters);
    await settle();
  }

  async function submitCreate(name: string, description: string): Promise<TestRequest> {
    const form = page().querySelector<HTMLFormElement>('form.create');
    if (!form) throw new Error('no create form');
    (form.querySelector('input[name=name]') as HTMLInputElement).value = name;
    (form.querySelector('input[name=description]') as HTMLInputElement).value = description;
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    fixture.detectChanges();
    return request('POST', '/api/clusters');
  }

  it('lists the clusters by name, with their description and node count, each linking to its page', async () => {
    await render('operator');
    expect(text('h2')).toEqual(['Clusters']);
    expect(text('.count')).toEqual(['2 clusters']);
    expect(text('th')).toEqual(['Name', 'Description', 'Nodes', 'Actions']);
    expect(text('tbody tr td:not(.actions)')).toEqual(['edge', 'No description', '1', 'web', 'Web servers', '3']);
    expect([...page().querySelectorAll('a.cluster-name')].map((link) => link.getAttribute('href'))).toEqual(['/clusters/edge', '/clusters/web']);
    expect(text('form.create label').map((label) => label?.split(' ')[0])).toEqual(['Name', 'Description']);
    expect(page().querySelector('input[name=name]')?.getAttribute('aria-describedby')).toBe('name-hint');
    expect(text('#name-hint')[0]).toContain('lowercase letters, digits');
    expect(page().querySelectorAll('button.delete')).toHaveLength(2);
    expect(button('tr[data-cluster=edge] button.delete').getAttribute('aria-label')).toBe('Delete cluster edge');
  });

  it('creates a cluster, lists it and empties the form', async () => {
    await render('admin');
    const create = await submitCreate(' db ', 'Databases');
    expect(create.request.body).toEqual({ name: 'db', description: 'Databases' });
    expect(button('form.create button[type=submit]').textContent?.trim()).toBe('Creating…');
    create.flush(cluster('db', { description: 'Databases' }));
    await settle();
    expect(text('a.cluster-name')).toEqual(['db', 'edge', 'web']);
    expect(text('tr[data-cluster=db] td.description')).toEqual(['Databases']);
    expect(text('.notice')).toEqual(['Cluster db created. Open it to add nodes.']);
    expect((page().querySelector('input[name=name]') as HTMLInputElement).value).toBe('');
    expect(page().querySelector('form.create [role=alert]')).toBeNull();
  });

  it('sends no description when none is given', async () => {
    await render('admin', []);
    const create = await submitCreate('edge', '  ');
    expect(create.request.body).toEqual({ name: 'edge' });
    create.flush(cluster('edge'));
    await settle();
    expect(text('a.cluster-name')).toEqual(['edge']);
  });

  it('shows the hub’s reason beside the form when it refuses a name, and keeps what was typed', async () => {
    await render('admin');
    (await submitCreate('edge', '')).flush(...hubError(409, 'conflict', 'A cluster named "edge" already exists'));
    await settle();
    expect(text('form.create [role=alert]')).toEqual(['A cluster named "edge" already exists']);
    expect(page().querySelector('input[name=name]')?.getAttribute('aria-invalid')).toBe('true');
    expect((page().querySelector('input[name=name]') as HTMLInputElement).value).toBe('edge');

    (await submitCreate('Edge_1', '')).flush(...hubError(400, 'validation_failed', 'name: lowercase letters, digits and "-" only, starting with a letter or digit'));
    await settle();
    expect(text('form.create [role=alert]')).toEqual(['name: lowercase letters, digits and "-" only, starting with a letter or digit']);
    expect(text('a.cluster-name')).toEqual(['edge', 'web']);
  });

  it('asks before deleting a cluster, and can be cancelled', async () => {
    await render('admin');
    button('tr[data-cluster=web] button.delete').click();
    fixture.detectChanges();
    expect(text('tr[data-cluster=web] .question')).toEqual(['Delete cluster web? Its nodes stay in the fleet.']);
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');

    button('tr[data-cluster=web] .cancel').click();
    fixture.detectChanges();
    http.expectNone((candidate) => candidate.method === 'DELETE');
    expect(page().querySelector('.confirm')).toBeNull();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Delete cluster web');

    // Escape says no too.
    button('tr[data-cluster=web] button.delete').click();
    fixture.detectChanges();
    page().querySelector('.confirm')?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    fixture.detectChanges();
    expect(page().querySelector('.confirm')).toBeNull();
  });

  it('deletes a cluster once confirmed, and says so', async () => {
    await render('operator');
    button('tr[data-cluster=web] button.delete').click();
    fixture.detectChanges();
    button('tr[data-cluster=web] .yes').click();
    request('DELETE', '/api/clusters/web').flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(text('a.cluster-name')).toEqual(['edge']);
    expect(text('.count')).toEqual(['1 cluster']);
    expect(text('.notice')).toEqual(['Cluster web deleted. Its nodes stay in the fleet.']);
  });

  it('keeps the question open with the hub’s reason when a delete fails', async () => {
    await render('admin');
    button('tr[data-cluster=edge] button.delete').click();
    fixture.detectChanges();
    button('tr[data-cluster=edge] .yes').click();
    request('DELETE', '/api/clusters/edge').flush(...hubError(404, 'not_found', 'No cluster named "edge"'));
    await settle();
    expect(text('tr[data-cluster=edge] [role=alert]')).toEqual(['No cluster named "edge"']);
    expect(text('a.cluster-name')).toEqual(['edge', 'web']);
  });

  it('shows viewers the clusters without anything that changes them', async () => {
    await render('viewer');
    expect(text('a.cluster-name')).toEqual(['edge', 'web']);
    expect(page().querySelector('form.create')).toBeNull();
    expect(page().querySelector('button.delete')).toBeNull();
    expect(text('th')).toEqual(['Name', 'Description', 'Nodes']);
  });

  it('tells an operator how to start when there are no clusters', async () => {
    await render('operator', []);
    expect(page().querySelector('table')).toBeNull();
    expect(text('.count')).toEqual(['0 clusters']);
    expect(text('.empty p')).toEqual(['No clusters yet.', 'A cluster groups nodes, for instance by site or by purpose. Create one above, then open it to add nodes.']);
  });

  it('tells a viewer who can create clusters', async () => {
    await render('viewer', []);
    expect(text('.empty p')).toEqual(['No clusters yet.', 'An admin or an operator can create clusters to group nodes; they will appear here.']);
  });

  it('shows the hub’s message when the list cannot be read, and tries again', async () => {
    signIn('admin', 'admin');
    fixture = TestBed.createComponent(ClustersPage);
    fixture.detectChanges();
    request('GET', '/api/clusters').flush(...hubError(500, 'internal', 'The database is unavailable'));
    await settle();
    expect(text('[role=alert]')).toEqual(['The database is unavailable Try again']);
    button('[role=alert] button').click();
    request('GET', '/api/clusters').flush([cluster('edge')]);
    await settle();
    expect(page().querySelector('[role=alert]')).toBeNull();
    expect(text('a.cluster-name')).toEqual(['edge']);
  });
});
