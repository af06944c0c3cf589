import { runThresh, waitFor } from '@thresh/testing';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from './support/browser';
import { ADMIN_PASSWORD, RunningSystem, startSystem, temporaryHome } from './support/system';

describe('dashboard in Chromium', () => {
  let system: RunningSystem;
  let browser: Browser;
  const home = temporaryHome();
  const env = { THRESH_HOME: home.path };

  beforeAll(async () => {
    system = await startSystem('dashboard');
    browser = await launchChromium();
    await runThresh(['agent', 'config', 'set', 'midtier-url', system.midtierUrl], env);
    await runThresh(['agent', 'config', 'set', 'api-key', await system.api.createKey('agent')], env);
    await runThresh(['agent', 'config', 'set', 'node-name', 'browser-node'], env);
    expect((await runThresh(['agent', 'start'], env)).code).toBe(0);
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

  it('logs in and shows this node online in the nodes table', async () => {
    const page = await browser.newPage();
    await page.goto(system.hubUrl);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/nodes');
    const row = page.locator('tr[data-node="browser-node"]');
    await waitFor(
      'the node row to say online, with a first sample',
      async () =>
        (await row.count()) > 0 &&
        (await row.locator('.status').textContent())?.trim() === 'online' &&
        /%$/.test((await row.locator('td').nth(4).textContent()) ?? ''),
      15_000,
    );
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('browser-node');
    expect(cells[3]).toBe(`${process.platform}/${process.arch}`);
    expect(cells[4]).toMatch(/^\d+%$/);
    expect(cells[5]).toMatch(/^[\d.]+ [KMGT]iB \/ [\d.]+ [KMGT]iB$/);
    expect(cells[8]).toBe('0.1.0');
    await expect(page.locator('.count.online').textContent()).resolves.toContain('1 online');
    await page.screenshot({ path: join(SCREENSHOTS, 'nodes.png'), fullPage: true });

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
