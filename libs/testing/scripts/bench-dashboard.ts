// Measures the fleet page in Chromium with a large fleet: time from the node list's arrival to the first rendered row,
// and the frame rate while 1,000 nodes a second report new values (beside the same page at rest).
// Usage: npm run bench:dashboard -- [nodes=10000] [changesPerSecond=1000] [seconds=10]
// Needs the built hub and dashboard (npx nx run-many -t build -p hub dashboard), Debian's Chromium and a PostgreSQL
// (THRESH_TEST_PG_URL or 127.0.0.1:5432).
import { chromium } from 'playwright-core';
import { loadedSample, reportSamples, sleep, withHubAndNodes } from './bench/common';

const [nodeCount = 10_000, changesPerSecond = 1000, seconds = 10] = process.argv.slice(2).map(Number);

// What the page scripts below keep on window while the page is measured.
declare global {
  interface Window { __firstRowAt: number; __frames: number; __run: number }
}

async function main(): Promise<void> {
  await withHubAndNodes('dashboard', nodeCount, async ({ hub, midtier, agentIds, registeringSince }) => {
    console.log(`${nodeCount} nodes registered in ${((Date.now() - registeringSince) / 1000).toFixed(1)} s`);
    const agents = agentIds.map((agentId) => ({ agentId, seq: 0 }));
    const report = (batch: typeof agents) => reportSamples(midtier, batch.map((agent) => ({ agentId: agent.agentId, ...loadedSample({ seq: agent.seq++ }) })));
    // Every node measured once, so the page has values to show.
    await report(agents);

    const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      // The session as the dashboard's login leaves it: the token in an httpOnly cookie, who is logged in in storage.
      await page.context().addCookies([{ name: 'thresh_session', value: hub.login.token, url: hub.url, httpOnly: true, sameSite: 'Strict' }]);
      await page.addInitScript((session) => {
        localStorage.setItem('thresh.session', JSON.stringify(session));
        // The moment the first row is in the page, against the moment the last page of the node list arrived.
        new MutationObserver((_mutations, observer) => {
          if (document.querySelector('[role=row][data-node]')) {
            window.__firstRowAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      }, { expiresAt: hub.login.expiresAt, user: hub.login.user });
      await page.goto(`${hub.url}/nodes`);
      await page.waitForSelector('[role=row][data-node]', { timeout: 120_000 });
      const load = await page.evaluate(() => {
        const lists = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((entry) => entry.name.includes('/api/nodes?'));
        const arrived = Math.max(...lists.map((entry) => entry.responseEnd));
        return { pages: lists.length, arrived, firstRow: window.__firstRowAt, navigation: performance.getEntriesByType('navigation')[0]?.startTime ?? 0 };
      });
      const shown = await page.locator('.count').allTextContents();

      const framesDuring = async (durationMs: number, work: (until: number) => Promise<unknown>) => {
        await page.evaluate(() => {
          // A loop of its own: one left from an earlier measurement stops at its next frame.
          const run = (window.__run ?? 0) + 1;
          window.__run = run;
          window.__frames = 0;
          const tick = () => {
            if (window.__run !== run) return;
            window.__frames += 1;
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        const started = Date.now();
        await work(started + durationMs);
        const frames = await page.evaluate(() => {
          window.__run += 1;
          return window.__frames;
        });
        return frames / ((Date.now() - started) / 1000);
      };
      // The user scrolls through the list meanwhile, so rows keep being rendered.
      const scrolling = (until: number) => page.evaluate(async (end) => {
        const viewport = document.querySelector('cdk-virtual-scroll-viewport') as HTMLElement;
        while (Date.now() < end) {
          viewport.scrollTop += 180;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }, until);
      const restFps = await framesDuring(seconds * 1000, (until) => scrolling(until));
      const busyFps = await framesDuring(seconds * 1000, async (until) => {
        const scroll = scrolling(until);
        for (let second = 0; Date.now() < until; second++) {
          const began = Date.now();
          const offset = (second * changesPerSecond) % agents.length;
          await report(agents.slice(offset, offset + changesPerSecond));
          await sleep(Math.max(0, 1000 - (Date.now() - began)));
        }
        await scroll;
      });

      console.log('');
      console.log('| figure | measured | baseline in the same run |');
      console.log('|---|---|---|');
      console.log(`| node list (${load.pages} pages of 1,000) arrived -> first row rendered | ${(load.firstRow - load.arrived).toFixed(0)} ms | page navigation -> first row: ${(load.firstRow - load.navigation).toFixed(0)} ms |`);
      console.log(`| frame rate, scrolling, ${changesPerSecond} nodes changing per second | ${busyFps.toFixed(1)} fps | ${restFps.toFixed(1)} fps scrolling with no changes |`);
      console.log(`\ncounts shown: ${shown.join(', ')}; Chromium ${browser.version()}, ${nodeCount} nodes, ${seconds} s each`);
    } finally {
      await browser.close();
    }
  });
}

void main();
