import type { Healthcheck } from '@thresh/protocol';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../environments/runtime-driver';

/** What a health check probes, as its messages name it. */
export function describeHealthcheck(check: Healthcheck): string {
  if (check.http !== undefined) return check.http;
  if (check.tcp !== undefined) return `tcp 127.0.0.1:${check.tcp}`;
  return `command "${check.command}"`;
}

/**
 * Resolves once the check passes; tries every `interval` seconds and rejects once it failed `retries` times beyond the
 * first attempt, naming the check and its last failure.
 */
export async function waitHealthy(check: Healthcheck, signal: AbortSignal): Promise<void> {
  const cancelled = () => new EnvironmentError(`health check ${describeHealthcheck(check)} stopped: the deployment was cancelled`);
  for (let failures = 1; ; failures++) {
    if (signal.aborted) throw cancelled();
    try {
      await attempt(check, signal);
      return;
    } catch (error) {
      if (signal.aborted) throw cancelled();
      if (failures > check.retries) throw new EnvironmentError(`health check ${describeHealthcheck(check)} failed ${failures} times: ${(error as Error).message}`);
    }
    await sleep(check.interval * 1000, undefined, { signal }).catch(() => undefined);
  }
}

/** One probe: resolves when healthy, rejects with why not. */
function attempt(check: Healthcheck, signal: AbortSignal): Promise<void> {
  const timeoutMs = check.timeout * 1000;
  if (check.http !== undefined) return probeHttp(check.http, timeoutMs, signal);
  if (check.tcp !== undefined) return probeTcp(check.tcp, timeoutMs, signal);
  return probeCommand(check.command as string, timeoutMs, signal);
}

async function probeHttp(url: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    // A redirect is an answer of the service itself: followed, it could probe somewhere else.
    response = await fetch(url, { redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw new Error(`no answer within ${timeoutMs / 1000}s`);
    // fetch says only "fetch failed"; the reason (connect ECONNREFUSED ...) is its cause.
    throw new Error((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status >= 400) throw new Error(`answered ${response.status} ${response.statusText}`.trim());
}

function probeTcp(port: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', timeout: timeoutMs });
    const finish = (error?: Error) => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const abort = () => finish(new Error('cancelled'));
    signal.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => finish());
    socket.once('timeout', () => finish(new Error(`no connection within ${timeoutMs / 1000}s`)));
    socket.once('error', (error) => finish(error));
  });
}

/** Runs in a process group of its own, so a timeout stops whatever the command started too. */
async function probeCommand(command: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const child = spawn('sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-500);
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  let timedOut = false;
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  signal.addEventListener('abort', kill, { once: true });
  try {
    const [code, killedBy] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      // On exit, not on close: a background process holding the output must not hold the check.
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    // Output still in the pipes when the command exited.
    await sleep(50);
    if (timedOut) throw new Error(`did not finish within ${timeoutMs / 1000}s`);
    const lastLine = output.trim().split('\n').pop();
    if (code !== 0) throw new Error(`exited with ${code === null ? `signal ${killedBy}` : `code ${code}`}${lastLine ? `: ${lastLine}` : ''}`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', kill);
    child.stdout.destroy();
    child.stderr.destroy();
  }
}
