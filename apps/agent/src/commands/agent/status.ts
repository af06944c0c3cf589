
import { loadAgentConfig } from '../../lib/agent-config';
import { ThreshCommand } from '../../lib/thresh-command';
import { ConnectionTarget, readAgentState, runningAgentPid } from '../../lib/agent-state';
import { formatAgo, formatDuration, labelled } from '../../lib/format';
import { readJsonFile } from '../../lib/files';
import { agentPaths } from '../../lib/paths';

type DisplayStatus = 'connected' | 'connecting' | 'disconnected' | 'stopped';

export interface AgentStatusResult {
  agentId: string | null;
  status: DisplayStatus;
  hubUrl: string | null;
  /** The server in use: midtier-url (`primary`) or fallback-url after a failover; its URL, and since when. */
  target: ConnectionTarget | null;
  targetUrl: string | null;
  targetSince: string | null;
  /** "socketio (websocket)" or "rest (polling every 5s)". */
  transport: string | null;
  /** Why transport auto polls over REST rather than holding a WebSocket; null when it does not. */
  fallbackReason: string | null;
  pid: number | null;
  uptimeSeconds: number | null;
  lastReportAt: string | null;
  nodeName: string | null;
  /** Why the agent is not connected, in words a person acts on. */
  lastError: string | null;
  bufferedSamples: number | null;
  droppedSamples: number | null;
}

const LABELS: Record<DisplayStatus, string> = {
  connected: 'Connected ✓',
  connecting: 'Connecting',
  disconnected: 'Disconnected',
  stopped: 'Stopped',
};

export default class AgentStatus extends ThreshCommand {
  static override summary = "Show the running agent's connection, as the agent itself reports it";
  static override examples = ['<%= config.bin %> agent status', '<%= config.bin %> agent status --json'];
  static override enableJsonFlag = true;

  async run(): Promise<AgentStatusResult> {
    await this.parse(AgentStatus);
    const pid = runningAgentPid();
    const state = pid ? readAgentState() : undefined;
    const live = state && state.pid === pid ? state : undefined;
    const identity = readJsonFile<{ agentId?: string }>(agentPaths().identity);
    const result: AgentStatusResult = {
      agentId: live?.agentId ?? identity?.agentId ?? null,
      status: live?.status ?? 'stopped',
      hubUrl: live?.url ?? loadAgentConfig()['midtier-url'] ?? null,
      target: live?.target ?? null,
      targetUrl: live?.targetUrl ?? null,
      targetSince: live?.targetSince ?? null,
      transport: live?.transport ?? null,
      fallbackReason: live?.fallbackReason ?? null,
      pid: live ? live.pid : null,
      uptimeSeconds: live ? Math.round((Date.now() - Date.parse(live.startedAt)) / 1000) : null,
      lastReportAt: live?.lastReportAt ?? null,
      nodeName: live?.nodeName ?? null,
      lastError: live?.lastError ?? null,
      bufferedSamples: live?.bufferedSamples ?? null,
      droppedSamples: live?.droppedSamples ?? null,
    };
    const rows: [string, string][] = [
      ['Agent ID', result.agentId ?? '(none yet: the agent has never run)'],
      ['Status', LABELS[result.status]],
      ['Hub URL', result.hubUrl ?? '(not set)'],
      ['Target', describeTarget(result)],
      ['Transport', result.transport ?? '-'],
      ['Uptime', result.uptimeSeconds === null ? '-' : formatDuration(result.uptimeSeconds)],
      ['Last Report', live ? formatAgo(result.lastReportAt) : '-'],
      ['Buffered', live ? `${result.bufferedSamples} sample(s) waiting${result.droppedSamples ? `, ${result.droppedSamples} dropped (buffer full)` : ''}` : '-'],
    ];
    if (result.fallbackReason) rows.splice(rows.findIndex(([label]) => label === 'Transport') + 1, 0, ['Fallback', result.fallbackReason]);
    if (result.nodeName) rows.splice(1, 0, ['Node', result.nodeName]);
    if (result.lastError && result.status !== 'connected') rows.push(['Last Error', result.lastError]);
    this.log(labelled(rows));
    return result;
  }
}

/** "fallback https://backup:7200 (since 2026-…, 2m ago)". */
function describeTarget({ target, targetUrl, targetSince }: AgentStatusResult, now = Date.now()): string {
  if (!target || !targetUrl) return '-';
  const since = targetSince ? ` (since ${targetSince}, ${formatDuration((now - Date.parse(targetSince)) / 1000)} ago)` : '';
  return `${target} ${targetUrl}${since}`;
}
