// Measures the fleet page in Chromium with a large fleet: time from the node list's arrival to the first rendered row,
// and the frame rate while 1,000 nodes a second report new values (beside the same page at rest).
// Usage: node libs/testing/scripts/bench-dashboard.mjs [nodes=10000] [changesPerSecond=1000] [seconds=10]
// Needs the built hub and dashboard (npx nx run-many -t build -p hub dashboard), Debian's Chromium and a PostgreSQL
// (THRESH_TEST_PG_URL or 127.0.0.1:5432).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';

const [nodeCount = 10_000, changesPerSecond = 1000, seconds = 10] = process.argv.slice(2).map(Number);
const server = process.env.THRESH_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `thresh_bench_dashboard_${Date.now()}`;

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(server), { pathname: `/${dbName}` }).toString();
const hubPort = await freePort();
const hub = `http://127.0.0.1:${hubPort}`;
const child = spawn(process.execPath, ['dist/apps/hub/main.js'], {
  env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: dbUrl, HUB_PORT: String(hubPort), HUB_HOST: '127.0.0.1', THRESH_ADMIN_PASSWORD: 'bench-password', HUB_RATE_LIMIT_PER_MINUTE: '1000000' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
let browser;
let midtier;

try {
  for (;;) {
    try {
      if ((await fetch(`${hub}/health/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  const post = async (path, body, token) =>
    (await fetch(hub + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })).json();
  const login = await post('/api/auth/login', { username: 'admin', password: 'bench-password' });
  const midtierKey = (await post('/api/keys', { type: 'midtier', name: 'bench' }, login.token)).key;
  const agentKey = (await post('/api/keys', { type: 'agent', name: 'bench' }, login.token)).key;

  // A midtier holding the whole fleet: nodes registered through the real path, measurements through metrics:batch.
  midtier = io(`${hub}/midtier`, { auth: { key: midtierKey }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve, reject) => { midtier.once('connect', resolve); midtier.once('connect_error', reject); });
  const agents = Array.from({ length: nodeCount }, () => ({ agentId: randomUUID(), seq: 0 }));
  const registerStart = Date.now();
  for (let index = 0; index < agents.length; index += 100) {
    await Promise.all(
      agents.slice(index, index + 100).map(async ({ agentId }, offset) => {
        const name = `node-${String(index + offset).padStart(5, '0')}`;
        const ack = await midtier.timeout(30_000).emitWithAck('node:register', {
          key: agentKey,
          connectionId: randomUUID(),
          registration: { agentId, nodeName: name, hostname: name, platform: 'linux', arch: 'x64', agentVersion: '0.1.0', cpuCores: 4, memoryTotalBytes: 8e9, diskTotalBytes: 1e11, metricsIntervalSeconds: 30 },
        });
        if (!ack.ok) throw new Error(JSON.stringify(ack));
      }),
    );
  }
  console.log(`${nodeCount} nodes registered in ${((Date.now() - registerStart) / 1000).toFixed(1)} s`);
  const report = async (batch) => {
    const samples = batch.map((agent) => ({
      agentId: agent.agentId, seq: agent.seq++, at: new Date().toISOString(), cpuPercent: Math.random() * 100, memoryUsedBytes: Math.round(Math.random() * 8e9),
      memoryTotalBytes: 8e9, diskUsedBytes: 5e10, diskTotalBytes: 1e11, containersRunning: 2, environments: [],
    }));
    for (let index = 0; index < samples.length; index += 1000) {
      const ack = await midtier.timeout(30_000).emitWithAck('metrics:batch', { samples: samples.slice(index, index + 1000) });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
    }
  };
  // Every node measured once, so the page has values to show.
  await report(agents);

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  // The session as the dashboard's login leaves it: the token in an httpOnly cookie, who is logged in in storage.
  await page.context().addCookies([{ name: 'thresh_session', value: login.token, url: hub, httpOnly: true, sameSite: 'Strict' }]);
  await page.addInitScript((session) => {
    localStorage.setItem('thresh.session', JSON.stringify(session));
    // The moment the first row is in the page, against the moment the last page of the node list arrived.
    new MutationObserver((_mutations, observer) => {
      if (document.querySelector('[role=row][data-node]')) {
        window.__firstRowAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, { expiresAt: login.expiresAt, user: login.user });
  await page.goto(`${hub}/nodes`);
  await page.waitForSelector('[role=row][data-node]', { timeout: 120_000 });
  const load = await page.evaluate(() => {
    const lists = performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/api/nodes?'));
    const arrived = Math.max(...lists.map((entry) => entry.responseEnd));
    return { pages: lists.length, arrived, firstRow: window.__firstRowAt, navigation: performance.getEntriesByType('navigation')[0]?.startTime ?? 0 };
  });
  const shown = await page.locator('.count').allTextContents();

  const framesDuring = async (durationMs, work) => {
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
  const scrolling = (until) => page.evaluate(async (end) => {
    const viewport = document.querySelector('cdk-virtual-scroll-viewport');
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
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
