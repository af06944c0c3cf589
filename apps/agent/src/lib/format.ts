/** "3d 4h", "5m 2s": durations the way people read them. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [label, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (label === 's' && parts.length === 0)) parts.push(`${count}${label}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export function formatAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  return `${formatDuration((now - Date.parse(iso)) / 1000)} ago (${iso})`;
}

/** Aligned "Label:  value" lines. */
export function labelled(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
}

const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "6h" or "7d" in milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  return match ? Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS] : null;
}
