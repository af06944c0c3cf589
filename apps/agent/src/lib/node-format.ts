const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '-';
  if (bytes === 0) return '0 B';
  const exponent = Math.min(UNITS.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const value = bytes / 1024 ** exponent;
  return `${value >= 100 || exponent === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[exponent]}`;
}

export function usage(used: number | null, total: number): string {
  return used === null ? `- / ${formatBytes(total)}` : `${formatBytes(used)} / ${formatBytes(total)}`;
}

export function percent(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(0)}%`;
}

/** "[#######.............]  35%": a gauge for a terminal. */
export function bar(fraction: number | null, width = 20): string {
  if (fraction === null || !Number.isFinite(fraction)) return `[${'.'.repeat(width)}]    -`;
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${`${Math.round(clamped * 100)}%`.padStart(4)}`;
}
