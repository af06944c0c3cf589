import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { Login } from './login';

describe('Login', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  async function submit(username: string, password: string) {
    const fixture = TestBed.createComponent(Login);
    fixture.detectChanges();
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    for (const [id, value] of [['username', username], ['password', password]]) {
      const input = element.querySelector<HTMLInputElement>(`#${id}`);
      if (!input) throw new Error(`no #${id} field`);
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    fixture.detectChanges();
    await fixture.whenStable();
    element.querySelector('form')?.dispatchEvent(new Event('submit'));
    return { fixture, element };
  }

  it('shows the hub’s reason when the login is refused', async () => {
    const { fixture, element } = await submit('admin', 'wrong');
    http
      .expectOne('/api/auth/session')
      .flush({ statusCode: 401, code: 'unauthorized', message: 'Invalid username or password' }, { status: 401, statusText: 'Unauthorized' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(element.querySelector('[role=alert]')?.textContent).toContain('Invalid username or password');
    expect(localStorage.getItem('thresh.session')).toBeNull();
  });

  it('opens a cookie session (no token for scripts to keep) and goes to the nodes page on success', async () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const { fixture } = await submit('admin', 'right');
    const request = http.expectOne('/api/auth/session');
    expect([request.request.body, request.request.headers.has('Authorization')]).toEqual([{ username: 'admin', password: 'right' }, false]);
    request.flush({ expiresAt: new Date(Date.now() + 60_000).toISOString(), user: { id: 'u', username: 'admin', role: 'admin', account: 'default' } });
    await fixture.whenStable();
    expect(navigate).toHaveBeenCalledWith(['/nodes']);
    expect(JSON.parse(localStorage.getItem('thresh.session') ?? '{}')).toEqual({ expiresAt: expect.any(String), user: expect.objectContaining({ username: 'admin' }) });
  });
});
