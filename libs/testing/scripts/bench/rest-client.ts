// The load of the REST fallback figure: N agents over the agent REST protocol (/api/agent), each with its own
// kept-alive connection, polling for commands every --poll-interval seconds (wait=0: every poll is answered at once,
// so its time is the gateway's) and reporting one sample every --report-interval seconds. The fleet simulator does not
// time polls, hence this client.
//   FLEET_SIM_KEY=<agent key> node -r @swc-node/register libs/testing/scripts/bench/rest-client.ts --url <gateway> --agents 2500 \
//     --prefix rest-1- --poll-interval 5 --report-interval 30 --ramp 10
// Prints {"registered":n} once every agent is registered. SIGUSR1 starts the window whose requests are timed;
// SIGUSR2 ends it: the client prints the latencies and errors of the window as one JSON line, unregisters and exits.
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

type Kind = 'register' | 'poll' | 'report';

/** What the client prints when the window ends. */
export type WindowResult = { timings: Record<Kind, number[]>; errors: Record<string, number>; attempts: Record<'poll' | 'report', number>; errorsOutsideWindow: Record<string, number> };
type RestAgent = { name: string; id: string; seq: number; session?: string; http: Agent };

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    agents: { type: 'string' },
    prefix: { type: 'string', default: 'rest-' },
    'poll-interval': { type: 'string', default: '5' },
    'report-interval': { type: 'string', default: '30' },
    ramp: { type: 'string', default: '10' },
  },
});
const base = new URL(values.url ?? '');
const key = process.env['FLEET_SIM_KEY'];
const agentCount = Number(values.agents);
const pollMs = Number(values['poll-interval']) * 1000;
const reportMs = Number(values['report-interval']) * 1000;
const rampMs = Number(values.ramp) * 1000;
if (!key || !(agentCount > 0) || !(pollMs > 0) || !(reportMs > 0)) {
  console.error('usage: FLEET_SIM_KEY=… rest-client.ts --url <gateway> --agents <n> [--prefix p] [--poll-interval s] [--report-interval s] [--ramp s]');
  process.exit(2);
}

let recording = false;
let stopping = false;
const timings: WindowResult['timings'] = { register: [], poll: [], report: [] };
const errors: Record<string, number> = {};
const countError = (what: string, reason: string) => {
  if (!recording) return;
  const label = `${what}: ${reason}`;
  errors[label] = (errors[label] ?? 0) + 1;
};
const attempts = { poll: 0, report: 0 };
const errorsOutsideWindow: Record<string, number> = {};
const countOutside = (label: string) => (errorsOutsideWindow[label] = (errorsOutsideWindow[label] ?? 0) + 1);

/** The fields of the gateway's answers the client reads: an error's code, a registration's session and last seq. */
type Answer = { code?: string; session?: string; lastSeq?: number | null };

/** One request on the agent's own connection; resolves with { status, body } or rejects on a network error. */
function send(agent: Agent, method: string, path: string, body?: unknown, session?: string): Promise<{ status: number; body?: Answer }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      method,
      agent,
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'application/json',
        ...(session ? { 'x-thresh-session': session } : {}),
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    });
    const timer = setTimeout(() => req.destroy(new Error('no answer within 30 s')), 30_000);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
      response.on('error', reject);
    });
    req.end(payload);
  });
}

/** Times one request of a kind; counts it, and any error, when the window is open. */
async function timed(kind: 'poll' | 'report', agent: RestAgent, method: string, path: string, body?: unknown) {
  const inWindow = recording;
  if (inWindow) attempts[kind]++;
  const began = performance.now();
  try {
    const answer = await send(agent.http, method, path, body, agent.session);
    const took = performance.now() - began;
    if (answer.status < 200 || answer.status >= 300) {
      const reason = `${answer.status} ${answer.body?.code ?? ''}`.trim();
      if (inWindow) countError(kind, reason);
      else countOutside(`${kind}: ${reason}`);
      return undefined;
    }
    if (inWindow && recording) timings[kind].push(took);
    return answer.body;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (inWindow) countError(kind, reason);
    else countOutside(`${kind}: ${reason}`);
    return undefined;
  }
}

function agentId(name: string): string {
  const hash = createHash('sha1').update(`thresh-bench-rest:${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function register(agent: RestAgent): Promise<void> {
  const began = performance.now();
  for (let attempt = 0; attempt < 10 && !stopping; attempt++) {
    const node = await send(agent.http, 'POST', '/api/agent/register', {
      agentId: agent.id,
      nodeName: agent.name,
      hostname: agent.name,
      platform: 'linux',
      arch: 'x64',
      agentVersion: 'bench-rest',
      cpuCores: 4,
      memoryTotalBytes: 8 * 1024 ** 3,
      diskTotalBytes: 100 * 1024 ** 3,
      metricsIntervalSeconds: Math.max(1, Math.round(reportMs / 1000)),
      drivers: ['process'],
    }).catch((error: NodeJS.ErrnoException): { status: number; body?: Answer } => ({ status: 0, body: { code: error.code ?? error.message } }));
    if (node.status >= 200 && node.status < 300) {
      timings.register.push(performance.now() - began);
      agent.seq = (node.body?.lastSeq ?? -1) + 1;
      agent.session = node.body?.session;
      return;
    }
    countOutside(`register: ${node.status} ${node.body?.code ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
  throw new Error(`${agent.name} could not register`);
}

async function loop(agent: RestAgent): Promise<void> {
  let nextPoll = Date.now() + Math.random() * pollMs;
  let nextReport = Date.now() + Math.random() * reportMs;
  while (!stopping) {
    const now = Date.now();
    const wake = Math.min(nextPoll, nextReport);
    if (wake > now) await new Promise((resolve) => setTimeout(resolve, wake - now));
    if (stopping) break;
    // As the real agent does: one request at a time on its connection; the next poll is an interval after the answer.
    if (Date.now() >= nextReport) {
      const at = new Date().toISOString();
      const sample = { seq: agent.seq, at, cpuPercent: Math.random() * 100, memoryUsedBytes: 4 * 1024 ** 3, memoryTotalBytes: 8 * 1024 ** 3, diskUsedBytes: 50 * 1024 ** 3, diskTotalBytes: 100 * 1024 ** 3, containersRunning: 2, environments: [] };
      if (await timed('report', agent, 'POST', '/api/agent/metrics', { agentId: agent.id, samples: [sample] })) agent.seq++;
      nextReport += reportMs;
    }
    if (Date.now() >= nextPoll) {
      await timed('poll', agent, 'GET', `/api/agent/commands?agentId=${agent.id}&wait=0`);
      nextPoll = Date.now() + pollMs;
    }
  }
}

const agents = Array.from({ length: agentCount }, (_, index): RestAgent => {
  const name = `${values.prefix}${index + 1}`;
  return { name, id: agentId(name), seq: 0, http: new Agent({ keepAlive: true, maxSockets: 1 }) };
});
const slotMs = rampMs / agentCount;
const started = Date.now();
let loops: Promise<void>[] = [];
void Promise.all(
  agents.map(async (agent, index) => {
    const wait = started + (index + Math.random()) * slotMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await register(agent);
  }),
).then(() => {
  console.log(JSON.stringify({ registered: agents.length }));
  loops = agents.map((agent) => loop(agent));
});

process.on('SIGUSR1', () => {
  recording = true;
});
process.on('SIGUSR2', async () => {
  recording = false;
  const result: WindowResult = { timings, errors, attempts, errorsOutsideWindow };
  await new Promise((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, resolve));
  stopping = true;
  await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  // Courtesy: the nodes go offline now rather than when their sessions time out.
  for (let first = 0; first < agents.length; first += 200) {
    await Promise.all(agents.slice(first, first + 200).map((agent) => send(agent.http, 'POST', '/api/agent/unregister', { agentId: agent.id }, agent.session).catch(() => undefined)));
  }
  for (const agent of agents) agent.http.destroy();
  process.exit(0);
});
process.on('SIGTERM', () => process.exit(0));
