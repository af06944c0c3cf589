/** A moment as people read it, in their own locale and time zone; `none` when there is none. */
export function formatTime(iso: string | null, none = '-'): string {
  if (!iso) return none;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A span of time in the largest whole unit that fits: "24 hours", "5 minutes". */
export function formatDuration(milliseconds: number): string {
  const minutes = Math.max(1, Math.round(milliseconds / 60_000));
  const [value, unit] = minutes >= 2 * 1440 ? [Math.round(minutes / 1440), 'day'] : minutes >= 120 ? [Math.round(minutes / 60), 'hour'] : [minutes, 'minute'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** The value of a `datetime-local` field (local time) as the ISO instant the hub takes; null when empty or not a date. */
export function localToIso(value: string): string | null {
  if (!value.trim()) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}
