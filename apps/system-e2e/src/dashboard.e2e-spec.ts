import { runThresh, waitFor } from '@thresh/testing';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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

  afterAll(async () => {
    await runThresh(['agent', 'stop'], env);
    await browser?.close();
    await system?.stop();
    home.remove();
  });

  it('says why a login failed', async () => {
    const page = await browser.newPage();
    await page.goto(system.hubUrl);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'login-error.png') });
    await page.close();
  });

  it('logs in to an empty fleet, sees a node appear live when its agent starts, and turn offline when it stops', async () => {
    const page = await browser.newPage();
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

  it('sends an expired session back to login with a message', async () => {
    const page = await browser.newPage();
    await page.goto(`${system.hubUrl}/login`);
    await page.evaluate(() =>
      localStorage.setItem(
        'thresh.session',
        JSON.stringify({
          token: 'thresh_cli_default_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000',
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
});
