import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { settleFully, signIn, textsOf } from '../../core/testing';
import { EXAMPLE_STACK } from '../example';
import { hubError } from '../stacks-testing';
import { StackDeployPage } from './stack-deploy-page';

describe('StackDeployPage', () => {
  let http: HttpTestingController;
  let navigate: jest.SpyInstance;
  let fixture: ComponentFixture<StackDeployPage>;

  function render(role: 'admin' | 'operator' | 'viewer' = 'operator') {
    signIn(role);
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
    navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    fixture = TestBed.createComponent(StackDeployPage);
    fixture.detectChanges();
  }

  afterEach(() => {
    fixture?.destroy();
    http.verify();
  });

  const settle = () => settleFully(fixture);
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => textsOf(page(), selector);
  const editor = () => page().querySelector<HTMLTextAreaElement>('textarea') as HTMLTextAreaElement;
  const deployButton = () => page().querySelector<HTMLButtonElement>('button[type=submit]') as HTMLButtonElement;
  /** Problems listed: the check while typing (announced politely) and the hub's refusal (an alert) alike. */
  const alerts = () => text('.problems li');

  function type(element: HTMLTextAreaElement | HTMLInputElement, value: string | object): void {
    element.value = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    element.dispatchEvent(new Event('input'));
    fixture.detectChanges();
  }

  const submit = () => page().querySelector('form')?.dispatchEvent(new Event('submit', { cancelable: true }));

  it('starts from a valid example in a labelled editor, ready to deploy', () => {
    render();
    const label = page().querySelector(`label[for="${editor().id}"]`);
    expect(label?.textContent?.trim()).toBe('Stack definition (JSON)');
    expect(JSON.parse(editor().value)).toEqual(EXAMPLE_STACK);
    expect(text('.valid[role=status]')).toEqual(['Valid: stack hello-stack with 3 services (store, api, web).']);
    expect(page().querySelector('[role=alert]')).toBeNull();
    expect(deployButton().disabled).toBe(false);
    expect(text('.target label').map((field) => field?.trim())).toEqual(['Target node', 'Target cluster']);
  });

  it('lists every problem inline as the definition is typed, with where it is, and keeps Deploy disabled', () => {
    render();
    type(editor(), {
      name: 'loop',
      services: {
        api: { command: 'exec node api.js', ports: [99999], dependsOn: ['auth'] },
        auth: { dependsOn: ['api'] },
      },
    });
    expect(alerts()).toEqual([
      'services.api.ports.0: 99999 is not a port (1-65535)',
      'services.auth: service "auth" needs an image (docker) or a command (process)',
      'services: Circular dependency detected: api -> auth -> api',
    ]);
    expect(text('.problems .heading')).toEqual(['This definition cannot be deployed (3 problems):']);
    expect(editor().getAttribute('aria-invalid')).toBe('true');
    expect(deployButton().disabled).toBe(true);

    type(editor(), { name: 'shop', services: [{ name: 'api', image: 'shop/api:1', dependsOn: ['db'] }] });
    expect(alerts()).toEqual(['services.0.dependsOn: service "api" depends on unknown service "db"']);
    expect(deployButton().disabled).toBe(true);

    type(editor(), { name: 'shop', services: [{ name: 'api', image: 'shop/api:1' }] });
    expect(page().querySelector('[role=alert]')).toBeNull();
    expect(text('.valid')).toEqual(['Valid: stack shop with 1 service (api).']);
    expect(deployButton().disabled).toBe(false);
  });

  it('says when the text is not JSON, with the parser’s message', () => {
    render();
    const broken = '{ "name": "shop", "services": ';
    let parserMessage = '';
    try {
      JSON.parse(broken);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    type(editor(), broken);
    expect(parserMessage).not.toBe('');
    expect(text('.problems[role=status]')).toEqual([`This is not valid JSON: ${parserMessage}`]);
    expect(editor().getAttribute('aria-invalid')).toBe('true');
    expect(deployButton().disabled).toBe(true);
  });

  it('checks the target fields with the definition', () => {
    render();
    type(editor(), { name: 'shop', targetCluster: 'edge', services: { api: { image: 'shop/api:1' } } });
    type(page().querySelector('input[name=targetNode]') as HTMLInputElement, 'edge-2');
    expect(alerts()).toEqual(['targetCluster: give targetNode or targetCluster, not both']);
    expect(deployButton().disabled).toBe(true);
  });

  it('sends the definition with the target, then opens the stack', async () => {
    render();
    type(editor(), { name: 'shop', services: { api: { image: 'shop/api:1', ports: [8080] } } });
    type(page().querySelector('input[name=targetNode]') as HTMLInputElement, 'edge-2');
    submit();
    fixture.detectChanges();
    expect(deployButton().textContent?.trim()).toBe('Deploying…');
    expect(deployButton().disabled).toBe(true);
    const request = http.expectOne('/api/stacks/deploy');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({ name: 'shop', targetNode: 'edge-2', services: { api: { image: 'shop/api:1', ports: [8080] } } });
    request.flush({ id: '50000000-0000-4000-8000-000000000001', name: 'shop', status: 'deploying', node: 'edge-2', commandId: 'c0000000-0000-4000-8000-000000000001', changed: ['api'] });
    await settle();
    expect(navigate).toHaveBeenCalledWith(['/stacks', 'shop']);
  });

  it('shows the hub’s problems the same way when it refuses the definition, and its 409 message', async () => {
    render();
    submit();
    http.expectOne('/api/stacks/deploy').flush(
      ...Object.values(hubError(400, 'validation_failed', 'The stack definition has 1 problem(s): targetNode: No node named "edge-9"', [{ path: 'targetNode', message: 'No node named "edge-9"' }])),
    );
    await settle();
    expect(text('.refused .heading')).toEqual(['The hub refused the definition (1 problem):']);
    expect(alerts()).toEqual(['targetNode: No node named "edge-9"']);
    expect(navigate).not.toHaveBeenCalled();

    submit();
    const busy = 'Stack "hello-stack" is busy: its stack.deploy c0000000-0000-4000-8000-000000000001 is running; wait for it, or cancel it with thresh command cancel c0000000-0000-4000-8000-000000000001';
    http.expectOne('/api/stacks/deploy').flush(...Object.values(hubError(409, 'conflict', busy)));
    await settle();
    expect(text('[role=alert]')).toEqual([busy]);

    // Editing the definition clears the hub's verdict on the previous one.
    type(editor(), editor().value + ' ');
    expect(page().querySelector('[role=alert]')).toBeNull();
  });

  it('lets viewers check a definition but not deploy it', () => {
    render('viewer');
    expect(deployButton().disabled).toBe(true);
    expect(page().querySelector('.actions')?.textContent).toContain('deploying it needs an operator or an admin');
    submit();
    http.expectNone('/api/stacks/deploy');
  });
});
