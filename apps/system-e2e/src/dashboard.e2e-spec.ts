import { freePort, runThresh, waitFor } from '@thresh/testing';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from './support/browser';
import { ADMIN_PASSWORD, RunningSystem, startAgent, startSystem, temporaryHome } from './support/system';

describe('dashboard in Chromium', () => {
  let system: RunningSystem;
  let browser: Browser;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };

  beforeAll(async () => {
    system = await startSystem('dashboard');
    browser = await launchChromium();
  });

  /** What Chromium refused under the hub's Content-Security-Policy, on any page of this suite. */
  const violations: string[] = [];
  const watched = (page: Page) => {
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    return page;
  };

  /** A page logged in as the admin, on the fleet page. */
  const loggedIn = async () => {
    const page = watched(await browser.newPage());
    await page.goto(system.hubUrl);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/nodes');
    return page;
  };

  afterAll(async () => {
    await runThresh(['agent', 'stop'], env);
    await browser?.close();
    await system?.stop();
    home.remove();
  });

  it('says why a login failed', async () => {
    const page = watched(await browser.newPage());
    await page.goto(system.hubUrl);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'login-error.png') });
    await page.close();
  });

  it('logs in to an empty fleet, sees a node appear live when its agent starts, and turn offline when it stops', async () => {
    const page = watched(await browser.newPage());
    await page.goto(system.hubUrl);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/nodes');
    await page.getByText('No nodes yet.').waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-empty.png'), fullPage: true });

    // No reload from here on: what changes comes over the hub's /dashboard socket.
    await startAgent(home, [['midtier-url', system.midtierUrl], ['api-key', await system.api.createKey('agent')], ['node-name', 'browser-node'], ['metrics-interval', '2']]);
    const row = page.locator('[role=row][data-node="browser-node"]');
    await waitFor(
      'the node to appear online, with a first measurement',
      async () => (await row.count()) > 0 && (await row.locator('.status').textContent())?.trim() === 'online' && /%$/.test((await row.locator('.cpu').textContent()) ?? ''),
      20_000,
    );
    expect((await row.locator('.node-name').textContent())?.trim()).toBe('browser-node');
    expect((await row.locator('.cpu').textContent())?.trim()).toMatch(/^\d+%$/);
    expect((await row.locator('.memory').textContent())?.trim()).toMatch(/^[\d.]+ [KMGT]iB \/ [\d.]+ [KMGT]iB$/);
    expect((await row.locator('[role=cell]').nth(7).textContent())?.trim()).toBe('0.1.0');
    await expect(page.locator('.count.online').textContent()).resolves.toContain('1 online');
    await page.getByLabel('Search').fill('no-such-node');
    await page.getByText('No node matches these filters.').waitFor();
    await page.getByLabel('Search').fill('browser');
    await row.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet.png'), fullPage: true });
    // On a tablet the less important columns step aside and the rest still fit.
    await page.setViewportSize({ width: 768, height: 1024 });
    await expect(row.locator('.cpu').isVisible()).resolves.toBe(true);
    for (const cell of ['.memory span', '.disk span']) {
      const fits = await row.locator(cell).evaluate((element) => element.scrollWidth <= element.clientWidth);
      expect({ cell, fits }).toEqual({ cell, fits: true });
    }
    await expect(row.locator('[role=cell].wide').first().isVisible()).resolves.toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-tablet.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });

    // Its page: facts, charts of its measurements (Chart.js on canvases), environments, commands.
    await row.getByRole('link', { name: 'browser-node' }).click();
    await page.waitForURL('**/nodes/browser-node');
    await page.getByRole('heading', { name: 'browser-node', level: 2 }).waitFor();
    await waitFor('three charts drawn', async () => (await page.locator('canvas[aria-label*="points"]').count()) === 3, 20_000);
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    await page.getByText('No environments on this node yet.').waitFor();
    await page.getByRole('button', { name: '24h' }).click();
    await page.getByRole('button', { name: '24h', pressed: true }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'node.png'), fullPage: true });
    await page.getByRole('link', { name: 'Fleet' }).first().click();
    await row.waitFor();

    expect((await runThresh(['agent', 'stop'], env)).code).toBe(0);
    await waitFor('the node to turn offline', async () => (await row.locator('.status').textContent())?.trim() === 'offline', 20_000);
    await expect(page.locator('.count.offline').textContent()).resolves.toContain('1 offline');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.close();
  });

  it('creates an agent key and shows it once, with the command line to use it', async () => {
    const page = await loggedIn();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/settings/keys');
    await page.getByLabel('Type').selectOption({ label: 'Agent' });
    await page.getByLabel('Name').fill('browser-made');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('[data-secret]').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^thresh_live_default_/);
    await expect(page.locator('code.command').allTextContents()).resolves.toContain(`thresh agent config set api-key ${secret}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-key-created.png'), fullPage: true });
    await page.getByRole('button', { name: 'I have copied it: hide the key' }).click();
    await page.locator('[data-secret]').waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'API keys' }).getByText('browser-made').waitFor();
    expect(await page.content()).not.toContain(secret);
    // The hub lists it, by its prefix only.
    const keys = await system.api.request<{ name: string; prefix: string }[]>('GET', '/api/keys');
    expect(keys.body.find((key) => key.name === 'browser-made')?.prefix).toBe(secret.slice(0, keys.body.find((key) => key.name === 'browser-made')?.prefix.length));
    await page.screenshot({ path: join(SCREENSHOTS, 'api-keys.png'), fullPage: true });

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'users.png'), fullPage: true });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'key.create' }).first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });
    await page.close();
  });

  it('creates a cluster and adds a node to it', async () => {
    const page = await loggedIn();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clusters' }).click();
    await page.waitForURL('**/clusters');
    await page.getByLabel('Name').fill('edge');
    await page.getByLabel('Description').fill('nodes at the edge');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.getByRole('link', { name: 'edge' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'clusters.png'), fullPage: true });
    await page.getByRole('link', { name: 'edge' }).click();
    await page.waitForURL('**/clusters/edge');
    await page.locator('select[name=node]').selectOption({ label: 'browser-node (offline)' });
    await page.getByRole('button', { name: 'Add to cluster' }).click();
    await page.getByRole('link', { name: 'browser-node' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'cluster.png'), fullPage: true });
    const cluster = await system.api.request<{ nodes: { name: string }[] }>('GET', '/api/clusters/edge');
    expect(cluster.body.nodes.map((node) => node.name)).toEqual(['browser-node']);
    await page.close();
  });

  it('shows every problem of an invalid stack inline, then deploys one and watches its service turn healthy', async () => {
    // The node from the first test, back online to take the stack.
    expect((await runThresh(['agent', 'start'], env)).code).toBe(0);
    await waitFor('browser-node online again', async () => (await system.api.request<{ status: string }>('GET', '/api/nodes/browser-node')).body.status === 'online', 20_000);
    const page = await loggedIn();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stacks' }).click();
    await page.getByRole('link', { name: /Deploy new stack/ }).first().click();
    await page.waitForURL('**/stacks/deploy');
    const editor = page.getByLabel('Stack definition (JSON)');
    await editor.fill(JSON.stringify({ name: 'loop', services: { api: { command: 'a', dependsOn: ['auth'] }, auth: { dependsOn: ['api'] } } }));
    const problems = page.locator('.problems');
    await problems.getByText('Circular dependency detected: api -> auth -> api').waitFor();
    await problems.getByText('service "auth" needs an image (docker) or a command (process)').waitFor();
    await expect(page.getByRole('button', { name: 'Deploy' }).isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'stack-invalid.png'), fullPage: true });

    const port = await freePort();
    // It takes two seconds to listen, so the page shows it deploying before it turns healthy.
    const echo = `sleep 2; exec node -e "require('net').createServer((s) => s.end('hi')).listen(${port}, '127.0.0.1')"`;
    await editor.fill(JSON.stringify({ name: 'browser-stack', targetNode: 'browser-node', services: { echo: { command: echo, ports: [port], healthcheck: { tcp: port, interval: 0.5 } } } }, null, 2));
    await page.getByRole('status').filter({ hasText: 'Valid: stack browser-stack' }).waitFor();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL('**/stacks/browser-stack');
    await page.locator('[data-service="echo"] .service-status').filter({ hasNotText: 'healthy' }).waitFor();
    // No reload: the page follows the deployment as the node reports it.
    await page.locator('[data-service="echo"] .service-status', { hasText: 'healthy' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'stack.png'), fullPage: true });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stacks' }).click();
    await page.getByRole('link', { name: 'browser-stack' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'stacks.png'), fullPage: true });
    await page.close();
    const deleted = await system.api.request('DELETE', '/api/stacks/browser-stack?destroy=true');
    expect(deleted.status).toBe(202);
    await waitFor('the stack removed from the node', async () => !JSON.parse((await runThresh(['list', '--json'], env)).stdout).some((environment: { name: string }) => environment.name === 'browser-stack-echo'), 30_000);
  });

  it('sends an expired session back to login with a message', async () => {
    const page = watched(await browser.newPage());
    await page.goto(`${system.hubUrl}/login`);
    // A session the hub no longer knows: its cookie, and the page's note of who was logged in.
    await page.context().addCookies([{ name: 'thresh_session', value: 'thresh_cli_default_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000', url: system.hubUrl, httpOnly: true, sameSite: 'Strict' }]);
    await page.evaluate(() =>
      localStorage.setItem(
        'thresh.session',
        JSON.stringify({
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          user: { id: '00000000-0000-4000-8000-000000000000', username: 'admin', role: 'admin', account: 'default' },
        }),
      ),
    );
    await page.goto(`${system.hubUrl}/nodes`);
    await page.waitForURL('**/login?reason=expired');
    await page.getByRole('status').filter({ hasText: 'Your session has expired' }).waitFor();
    await page.close();
  });

  it('keeps the session in an httpOnly, SameSite=Strict cookie, with no token where a script could read it', async () => {
    const page = await loggedIn();
    const cookie = (await page.context().cookies()).find((candidate) => candidate.name === 'thresh_session');
    expect(cookie).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict', value: expect.stringMatching(/^thresh_cli_/) }));
    const readable = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie }));
    expect(readable).not.toContain('thresh_cli_');
    // Logging out ends the session at the hub and clears the cookie.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    expect((await page.context().cookies()).find((candidate) => candidate.name === 'thresh_session')).toBeUndefined();
    await page.close();
  });

  it('ran every page above under the hub\'s Content-Security-Policy with nothing refused, framed by no one', async () => {
    const page = watched(await browser.newPage());
    const answer = await page.goto(system.hubUrl);
    const headers = answer?.headers() ?? {};
    expect(headers['content-security-policy']).toEqual(expect.stringContaining("script-src 'self'"));
    expect(headers['content-security-policy']).toEqual(expect.stringContaining("frame-ancestors 'none'"));
    expect([headers['x-content-type-options'], headers['x-frame-options'], headers['referrer-policy'], headers['x-powered-by']]).toEqual(['nosniff', 'DENY', 'no-referrer', undefined]);
    await page.close();
    expect(violations).toEqual([]);
  });
});
