// Measures the fleet page in Chromium with a large fleet: time from the node list's arrival to the first rendered row,
// and the frame rate while 1,000 nodes a second report new values (beside the same page at rest).
// Usage: npm run bench:dashboard -- [nodes=10000] [changesPerSecond=1000] [seconds=10]
// Needs the built hub and dashboard (npx nx run-many -t build -p hub dashboard), Debian's Chromium and a PostgreSQL
// (THRESH_TEST_PG_URL or 127.0.0.1:5432).
import { metricSample } from '@thresh/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser, chromium } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { connectAsMidtier, createDatabase, newProcesses, registerNodes, reportSamples, startHub } from './bench/common';

const [nodeCount = 10_000, changesPerSecond = 1000, seconds = 10] = process.argv.slice(2).map(Number);

// What the page scripts below keep on window while the page is measured.
declare global {
  interface Window { __firstRowAt: number; __frames: number; __run: number }
}

async function main(): Promise<void> {
  const processes = newProcesses();
  const db = await createDatabase('dashboard');
  let browser: Browser | undefined;
  let midtier: Socket | undefined;
  try {
    const hub = await startHub(processes, db.url);
    const midtierKey = await hub.createKey('midtier');
    const agentKey = await hub.createKey('agent');

    // A midtier holding the whole fleet: nodes registered through the real path, measurements through metrics:batch.
    const link = (midtier = await connectAsMidtier(hub.url, midtierKey));
    const agents = Array.from({ length: nodeCount }, () => ({ agentId: randomUUID(), seq: 0 }));
    const registerStart = Date.now();
    await registerNodes(link, agentKey, agents.map((agent) => agent.agentId));
    console.log(`${nodeCount} nodes registered in ${((Date.now() - registerStart) / 1000).toFixed(1)} s`);
    const report = (batch: typeof agents) =>
      reportSamples(
        link,
        batch.map((agent) => ({ agentId: agent.agentId, ...metricSample({ seq: agent.seq++, cpuPercent: Math.random() * 100, memoryUsedBytes: Math.round(Math.random() * 8e9), memoryTotalBytes: 8e9, diskUsedBytes: 5e10, diskTotalBytes: 1e11, containersRunning: 2 }) })),
      );
    // Every node measured once, so the page has values to show.
    await report(agents);

    browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
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
    midtier?.close();
    await browser?.close();
    await processes.stopAll();
    await db.drop();
  }
}

void main();
