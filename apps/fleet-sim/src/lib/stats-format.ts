import { ExchangeCounts, FleetStats, LatencySummary } from './fleet-stats';

/** One line, every few seconds: enough to watch a run without drowning in it. */
export function formatProgressLine(stats: FleetStats): string {
  const { agents, reports, samples, commands, commandUpdates } = stats;
  const failures = Object.values(stats.failures).reduce((total, count) => total + count, 0);
  const counts = [
    `agents ${agents.registered}/${agents.total} registered (${agents.started} started, ${agents.connected} connected, ${agents.failing} failing)`,
    `reports ${reports.acked}/${reports.sent} acked (${reports.refused} refused, ${reports.lost} lost, ${reports.pending} pending)`,
    `samples ${samples.acked}/${samples.sent}`,
    `commands ${commands.answered}/${commands.received} answered (updates ${commandUpdates.acked}/${commandUpdates.sent})`,
    `reconnects ${agents.reconnects}`,
    `failures ${failures}`,
  ];
  return `[fleet-sim ${stats.elapsedSeconds.toFixed(1)}s] ${counts.join(' | ')}`;
}

/** The end of a run: a table of what was sent and how it ended, then latencies, failures and the verdict. */
export function formatSummary(stats: FleetStats): string {
  const { agents, commands } = stats;
  const rows: [string, ExchangeCounts][] = [
    ['registrations', stats.registrations],
    ['reports', stats.reports],
    ['samples', stats.samples],
    ['command updates', stats.commandUpdates],
  ];
  const headers = ['', 'sent', 'acked', 'refused', 'lost', 'pending'];
  const table = [headers, ...rows.map(([name, counts]) => [name, ...[counts.sent, counts.acked, counts.refused, counts.lost, counts.pending].map(String)])];
  const widths = headers.map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const lines = [
    `fleet-sim: ${agents.total} agents over ${stats.transport} against ${stats.url}, ${stats.elapsedSeconds.toFixed(1)}s`,
    '',
    ...table.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')),
    '',
    `agents     ${agents.everRegistered}/${agents.total} registered at least once, ${agents.registered} registered at the end; ` +
      `${agents.disconnects} disconnects, ${agents.reconnects} reconnects`,
    `samples    ${stats.samples.generated} generated, ${stats.samples.dropped} dropped (unacknowledged past a report's limit)`,
    `commands   ${commands.received} received (${commands.duplicates} duplicates, ${commands.cancels} cancels, ${commands.malformed} malformed), ` +
      `${commands.answered} answered; round trip ${formatLatency(commands.roundTrip)}`,
    `latency    register ${formatLatency(stats.latency.register)}; report ${formatLatency(stats.latency.report)}`,
  ];
  if (stats.transport === 'rest') lines.push(`polls      ${stats.polls.sent} sent, ${stats.polls.answered} answered, ${stats.polls.failed} failed`);
  const failures = Object.entries(stats.failures);
  if (failures.length > 0) {
    lines.push('', 'failures');
    const countWidth = Math.max(...failures.map(([, count]) => String(count).length));
    for (const [reason, count] of failures) lines.push(`  ${String(count).padStart(countWidth)}  ${reason}`);
  }
  lines.push('', stats.ok ? 'OK: everything sent was acknowledged' : `FAILED: ${stats.problems.join('; ')}`);
  return lines.join('\n');
}

/** "p50 12 ms, p95 40 ms, max 95 ms", or "none" before the first measurement. */
function formatLatency(latency: LatencySummary): string {
  if (latency.count === 0) return 'none';
  return `p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, max ${latency.maxMs} ms (${latency.count})`;
}
