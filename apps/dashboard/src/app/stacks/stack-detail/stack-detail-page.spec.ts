import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { StackResponse } from '@thresh/protocol';
import { LiveService } from '../../core/live.service';
import { settleFully, signIn, textsOf } from '../../core/testing';
import { FakeLive } from '../../fleet/fleet-testing';
import { hubError, stackResponse, stackService } from '../stacks-testing';
import { StackDetailPage } from './stack-detail-page';

describe('StackDetailPage', () => {
  let http: HttpTestingController;
  let live: FakeLive;
  let navigate: jest.SpyInstance;
  let fixture: ComponentFixture<StackDetailPage>;
  const busy = 'Stack "shop" is busy: its stack.deploy c0000000-0000-4000-8000-000000000001 is running; wait for it, or cancel it with thresh command cancel c0000000-0000-4000-8000-000000000001';

  afterEach(() => {
    fixture?.destroy();
    http.verify();
  });

  const settle = () => settleFully(fixture);
  const request = (path: string): TestRequest => http.expectOne((candidate) => candidate.url === path);
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => textsOf(page(), selector);
  const button = (selector: string) => page().querySelector<HTMLButtonElement>(selector) as HTMLButtonElement;
  const statuses = () => Object.fromEntries([...page().querySelectorAll('tr[data-service]')].map((row) => [row.getAttribute('data-service'), row.querySelector('.service-status')?.textContent?.trim()]));

  async function render(stack: StackResponse, role: 'admin' | 'operator' | 'viewer' = 'operator'): Promise<void> {
    signIn(role);
    live = new FakeLive();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveService, useValue: live }],
    });
    http = TestBed.inject(HttpTestingController);
    navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    fixture = TestBed.createComponent(StackDetailPage);
    fixture.componentRef.setInput('name', stack.name);
    fixture.detectChanges();
    expect(text('[role=status]')).toEqual([`Loading ${stack.name}…`]);
    request(`/api/stacks/${stack.name}`).flush(stack);
    await settle();
  }

  it('shows the stack, who deployed it, and each service with its status, times and error', async () => {
    const stack = stackResponse('shop', {
      status: 'failed',
      error: 'service "web" is in error: health check failed 30 times',
      services: [stackService('db', 'healthy'), stackService('api', 'healthy'), stackService('web', 'error', { error: 'connection refused on 3000' })],
    });
    await render(stack);
    expect(text('h2')).toEqual(['shop']);
    expect(text('.stack-status')).toEqual(['failed']);
    expect(text('.facts dt')).toEqual(['Node', 'On failure', 'Deployed by', 'Updated', 'Latest command']);
    expect(text('.facts dd').slice(0, 3)).toEqual(['edge-1', 'rollback', 'admin']);
    expect(text('.stack-error[role=alert]')).toEqual(['Error: service "web" is in error: health check failed 30 times']);
    expect(text('thead th')).toEqual(['Service', 'Status', 'Image', 'Started', 'Healthy', 'Error']);
    const cells = (service: string) => text(`tr[data-service=${service}] > *`);
    expect(cells('db')).toEqual(['db', 'healthy', 'command', expect.stringMatching(/^\d+s ago$/), expect.stringMatching(/^\d+s ago$/), '']);
    expect(cells('web')).toEqual(['web', 'error', 'nginx:1.27Change', expect.stringMatching(/^\d+s ago$/), '-', 'connection refused on 3000']);
    expect(text('tr[data-service=web] .image code')).toEqual(['nginx:1.27']);
    expect(page().querySelector('[data-edit-image=web]')?.getAttribute('aria-label')).toBe('Change the image of web');
    expect(page().querySelector('tr[data-service=db] .started time')?.getAttribute('datetime')).toBe(stack.services[0].startedAt);
    expect(text('.actions button')).toEqual(['Stop', 'Destroy…']);
  });

  it('turns a service healthy as its node reports, reading the stack again', async () => {
    const stack = stackResponse('shop', { status: 'deploying', services: [stackService('db', 'healthy'), stackService('api', 'deploying'), stackService('web', 'pending')] });
    await render(stack);
    expect(statuses()).toEqual({ db: 'healthy', api: 'deploying', web: 'pending' });

    // Another stack's command, or a command on another node, is not this stack's news.
    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-0000000000aa', kind: 'environment.up', nodeName: 'edge-1', state: 'succeeded', step: null });
    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-0000000000ab', kind: 'stack.deploy', nodeName: 'edge-9', state: 'running', step: null });
    http.expectNone('/api/stacks/shop');

    const at = new Date().toISOString();
    live.push('command:progress', { commandId: stack.commandId ?? '', kind: 'stack.deploy', nodeName: 'edge-1', state: 'running', step: { name: 'api', status: 'done', message: 'healthy', at } });
    request('/api/stacks/shop').flush({ ...stack, services: [stackService('db', 'healthy'), stackService('api', 'healthy', { healthyAt: at }), stackService('web', 'deploying')] });
    await settle();
    expect(statuses()).toEqual({ db: 'healthy', api: 'healthy', web: 'deploying' });
    expect(text('tr[data-service=api] .healthy-at')).toEqual(['0s ago']);

    // A stack.deploy on its node under another command (deployed again elsewhere) is read too.
    live.push('command:progress', { commandId: 'c0000000-0000-4000-8000-0000000000ac', kind: 'stack.deploy', nodeName: 'edge-1', state: 'succeeded', step: null });
    request('/api/stacks/shop').flush({ ...stack, status: 'running', services: [stackService('db', 'healthy'), stackService('api', 'healthy'), stackService('web', 'healthy')] });
    await settle();
    expect(text('.stack-status')).toEqual(['running']);
    expect(statuses()).toEqual({ db: 'healthy', api: 'healthy', web: 'healthy' });
  });

  it('stops the stack, and shows the hub’s 409 when the stack is busy', async () => {
    const stack = stackResponse('shop');
    await render(stack);
    button('[data-action=stop]').click();
    const refused = request('/api/stacks/shop/stop');
    expect(refused.request.method).toBe('POST');
    refused.flush(...Object.values(hubError(409, 'conflict', busy)));
    await settle();
    expect(text('.action-error[role=alert]')).toEqual([busy]);

    button('[data-action=stop]').click();
    request('/api/stacks/shop/stop').flush({ ...stack, status: 'stopped', services: stack.services.map((service) => ({ ...service, status: 'stopped' })) });
    await settle();
    expect(page().querySelector('[role=alert]')).toBeNull();
    expect(text('.stack-status')).toEqual(['stopped']);
    expect(text('.notice[role=status]')).toEqual(['Stopping shop: its services stop, dependents first.']);
    expect(button('[data-action=stop]').disabled).toBe(true);
  });

  it('asks before destroying, naming the volumes, then destroys and goes back to the list', async () => {
    await render(stackResponse('shop'));
    button('[data-action=destroy]').click();
    fixture.detectChanges();
    http.expectNone((candidate) => candidate.method === 'DELETE');
    const confirm = page().querySelector('[role=alertdialog]');
    expect(confirm?.querySelector('h3')?.textContent).toBe('Destroy shop?');
    expect(confirm?.textContent?.replace(/\s+/g, ' ')).toContain('Its 3 services are stopped and removed on edge-1, with their volumes: the data in them is lost');
    await settle();
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');

    button('.confirm [data-cancel]').click();
    fixture.detectChanges();
    expect(page().querySelector('[role=alertdialog]')).toBeNull();
    http.expectNone((candidate) => candidate.method === 'DELETE');

    button('[data-action=destroy]').click();
    fixture.detectChanges();
    button('.confirm [data-confirm]').click();
    const destroy = request('/api/stacks/shop');
    expect([destroy.request.method, destroy.request.params.get('destroy')]).toEqual(['DELETE', 'true']);
    expect(destroy.request.urlWithParams).toBe('/api/stacks/shop?destroy=true');
    destroy.flush({ commandId: 'c0000000-0000-4000-8000-000000000009' });
    await settle();
    expect(navigate).toHaveBeenCalledWith(['/stacks']);
  });

  it('deploys the stored definition again with a service’s new image', async () => {
    const stack = stackResponse('shop');
    await render(stack);
    expect(page().querySelectorAll('[data-edit-image]')).toHaveLength(1);
    button('[data-edit-image=web]').click();
    fixture.detectChanges();
    const input = page().querySelector<HTMLInputElement>('#image-web') as HTMLInputElement;
    expect(page().querySelector('label[for=image-web]')?.textContent?.trim()).toBe('New image for web');
    expect(input.value).toBe('nginx:1.27');

    input.value = 'nginx:1.28';
    page().querySelector('form.image-form')?.dispatchEvent(new Event('submit', { cancelable: true }));
    const deploy = request('/api/stacks/deploy');
    expect(deploy.request.method).toBe('POST');
    const definition = stack.definition as { services: Record<string, unknown>[] };
    expect(deploy.request.body).toEqual({ ...stack.definition, services: [definition.services[0], definition.services[1], { ...definition.services[2], image: 'nginx:1.28' }] });
    deploy.flush({ id: stack.id, name: 'shop', status: 'deploying', node: 'edge-1', commandId: 'c0000000-0000-4000-8000-000000000077', changed: ['web'] });
    await settle();
    // The hub stores what it was sent.
    const sent = deploy.request.body as Record<string, unknown>;
    request('/api/stacks/shop').flush({ ...stack, definition: sent, status: 'deploying', commandId: 'c0000000-0000-4000-8000-000000000077', services: [stackService('db', 'healthy'), stackService('api', 'healthy'), stackService('web', 'deploying')] });
    await settle();
    expect(page().querySelector('form.image-form')).toBeNull();
    expect(text('.notice')).toEqual(['Deploying web with nginx:1.28 on edge-1: only the services that changed restart (web).']);
    expect(text('tr[data-service=web] .image code')).toEqual(['nginx:1.28']);
    expect(statuses()['web']).toBe('deploying');
  });

  it('shows the hub’s refusal of a new image in the form', async () => {
    await render(stackResponse('shop'));
    button('[data-edit-image=web]').click();
    fixture.detectChanges();
    (page().querySelector('#image-web') as HTMLInputElement).value = 'nginx:1.28';
    page().querySelector('form.image-form')?.dispatchEvent(new Event('submit', { cancelable: true }));
    request('/api/stacks/deploy').flush(...Object.values(hubError(409, 'conflict', busy)));
    await settle();
    expect(text('.image-form [role=alert]')).toEqual([busy]);

    page().querySelector('form.image-form')?.dispatchEvent(new Event('submit', { cancelable: true }));
    request('/api/stacks/deploy').flush(...Object.values(hubError(400, 'validation_failed', 'The stack definition has 1 problem(s)', [{ path: 'services.2.image', message: 'Too big: expected string to have <=200 characters' }])));
    await settle();
    expect(text('.image-form [role=alert] li')).toEqual(['services.2.image: Too big: expected string to have <=200 characters']);

    button('.image-form button[type=button]').click();
    fixture.detectChanges();
    expect(page().querySelector('form.image-form')).toBeNull();
  });

  it('gives viewers no action buttons', async () => {
    await render(stackResponse('shop'), 'viewer');
    expect(page().querySelectorAll('button')).toHaveLength(0);
    expect(page().querySelector('.actions')).toBeNull();
    expect(text('tr[data-service=web] .image')).toEqual(['nginx:1.27']);
  });

  it('reads the other stack when the route names another one', async () => {
    await render(stackResponse('shop'));
    fixture.componentRef.setInput('name', 'blog');
    fixture.detectChanges();
    expect(text('[role=status]')).toEqual(['Loading blog…']);
    request('/api/stacks/blog').flush(stackResponse('blog', { node: 'edge-2' }));
    await settle();
    expect([text('h2'), text('.facts dd.node')]).toEqual([['blog'], ['edge-2']]);
  });

  it('says so when the stack does not exist', async () => {
    signIn('admin');
    live = new FakeLive();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveService, useValue: live }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(StackDetailPage);
    fixture.componentRef.setInput('name', 'ghost');
    fixture.detectChanges();
    request('/api/stacks/ghost').flush(...Object.values(hubError(404, 'not_found', 'No stack named "ghost"')));
    await settle();
    expect(text('[role=alert]')).toEqual(['No stack named "ghost"']);
  });
});
