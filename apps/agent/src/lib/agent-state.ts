import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readJsonFile, writeFileAtomic } from './files';
import { agentPaths } from './paths';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';
/** The midtier-url, or the fallback-url after a failover. */
export type ConnectionTarget = 'primary' | 'fallback';

/** What the running agent publishes about itself for `thresh agent status` in another process. */
export interface AgentState {
  pid: number;
  agentId: string;
  status: ConnectionStatus;
  /** The midtier-url, whichever target is in use. */
  url: string;
  /** The server in use, its URL, and since when (ISO time); absent in the state of an agent from before failover. */
  target?: ConnectionTarget;
  targetUrl?: string;
  targetSince?: string;
  /** How messages travel now: "socketio (websocket)" or "rest (polling every 5s)". */
  transport: string;
  /** Why transport auto polls over REST instead of holding a WebSocket; null when it does not. */
  fallbackReason?: string | null;
  startedAt: string;
  lastReportAt: string | null;
  nodeName: string;
  nodeId: string | null;
  lastError: string | null;
  /** Samples measured but not yet acknowledged, and samples lost to a full buffer. */
  bufferedSamples: number;
  droppedSamples: number;
}

export function writeAgentState(state: AgentState): void {
  writeFileAtomic(agentPaths().state, `${JSON.stringify(state, null, 2)}\n`, 0o644);
}

export function readAgentState(): AgentState | undefined {
  return readJsonFile<AgentState>(agentPaths().state);
}

export function writePidFile(pid: number): void {
  writeFileAtomic(agentPaths().pid, `${pid}\n`, 0o644);
}

export function readPid(): number | undefined {
  const path = agentPaths().pid;
  if (!existsSync(path)) return undefined;
  const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** On Linux, a live pid is only ours if its command line is `… agent run`: pids get reused after a crash or reboot. */
function isAgentProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((arg, index) => arg === 'agent' && args[index + 1] === 'run');
  } catch {
    return true;
  }
}

/** The pid of the running agent, or undefined; a pid file left by a crash does not count. */
export function runningAgentPid(): number | undefined {
  const pid = readPid();
  return pid && isAgentProcess(pid) ? pid : undefined;
}

export function clearRuntimeFiles(pid: number): void {
  if (readPid() === pid) rmSync(agentPaths().pid, { force: true });
  if (readAgentState()?.pid === pid) rmSync(agentPaths().state, { force: true });
}
