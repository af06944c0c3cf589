// Measures samples per second stored end to end: simulated agents -> one midtier -> one hub -> PostgreSQL.
// Usage: node libs/testing/scripts/bench-ingest.mjs [agents=200] [seconds=20] [samplesPerReport=100]
// Needs the built apps (npx nx run-many -t build -p hub midtier) and a PostgreSQL (THRESH_TEST_PG_URL or 127.0.0.1:5432).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { io } from 'socket.io-client';

const [agents = 200, seconds = 20, perReport = 100] = process.argv.slice(2).map(Number);
const server = process.env.THRESH_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `thresh_bench_${Date.now()}`;

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
const [hubPort, midtierPort] = [await freePort(), await freePort()];
const children = [];
const start = (script, env) => {
  const child = spawn(process.execPath, [script], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
};
const waitOk = async (url, check = (r) => r.ok) => {
  for (;;) {
    try {
      if (await check(await fetch(url))) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
};

try {
  start('dist/apps/hub/main.js', { DATABASE_URL: dbUrl, HUB_PORT: String(hubPort), HUB_HOST: '127.0.0.1', THRESH_ADMIN_PASSWORD: 'bench-password', HUB_RATE_LIMIT_PER_MINUTE: '1000000' });
  const hub = `http://127.0.0.1:${hubPort}`;
  await waitOk(`${hub}/health/ready`);
  const post = async (path, body, token) =>
    (await fetch(hub + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })).json();
  const { token } = await post('/api/auth/login', { username: 'admin', password: 'bench-password' });
  const midtierKey = (await post('/api/keys', { type: 'midtier', name: 'bench' }, token)).key;
  const agentKey = (await post('/api/keys', { type: 'agent', name: 'bench' }, token)).key;
  start('dist/apps/midtier/main.js', { HUB_URL: hub, MIDTIER_KEY: midtierKey, MIDTIER_PORT: String(midtierPort), MIDTIER_HOST: '127.0.0.1' });
  const midtier = `http://127.0.0.1:${midtierPort}`;
  await waitOk(`${midtier}/health`, async (r) => (await r.json()).hub.connected);

  const sockets = await Promise.all(
    Array.from({ length: agents }, async (_, index) => {
      const socket = io(`${midtier}/agents`, { auth: { key: agentKey }, transports: ['websocket'], reconnection: false });
      await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
      const agentId = randomUUID();
      const ack = await socket.emitWithAck('agent:register', { agentId, nodeName: `bench-${index}`, hostname: `bench-${index}`, platform: 'linux', arch: 'x64', agentVersion: '0.1.0', cpuCores: 4, memoryTotalBytes: 8e9, diskTotalBytes: 1e11, metricsIntervalSeconds: 1 });
      if (!ack.ok) throw new Error(JSON.stringify(ack));
      return { socket, agentId, seq: 0 };
    }),
  );
  console.log(`${agents} agents registered; reporting ${perReport} samples per report for ${seconds}s`);
  const deadline = Date.now() + seconds * 1000;
  let acked = 0;
  const began = Date.now();
  await Promise.all(
    sockets.map(async (agent) => {
      while (Date.now() < deadline) {
        const samples = Array.from({ length: perReport }, () => ({
          seq: agent.seq++, at: new Date().toISOString(), cpuPercent: Math.random() * 100, memoryUsedBytes: 4e9, memoryTotalBytes: 8e9,
          diskUsedBytes: 5e10, diskTotalBytes: 1e11, containersRunning: 2, environments: [],
        }));
        const ack = await agent.socket.timeout(30_000).emitWithAck('metrics:report', { agentId: agent.agentId, samples });
        if (!ack.ok) throw new Error(JSON.stringify(ack));
        acked += samples.length;
      }
    }),
  );
  const elapsed = (Date.now() - began) / 1000;
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const stored = Number((await db.query('SELECT count(*) FROM metric_samples')).rows[0].count);
  await db.end();
  for (const agent of sockets) agent.socket.close();
  console.log(`acknowledged ${acked} samples, stored ${stored}, in ${elapsed.toFixed(1)}s: ${Math.round(stored / elapsed)} samples/s stored end to end`);
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
  await sleep(1500);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
