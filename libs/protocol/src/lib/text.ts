/** C0 and C1 controls, DEL, and the bidirectional overrides that can make a line read other than it is. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, less tab and newline: what a multi-line text (a command's output) may keep. */
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A string from outside (an agent, a midtier, a client) as a log line may carry it: controls escaped, so it cannot
 * forge lines or drive a terminal, and cut to `maxLength`.
 */
export function printable(value: unknown, maxLength = 200): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return cut.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string from a node as a terminal shows it: controls removed; `multiline` keeps tabs and newlines. */
export function withoutControlCharacters(value: string, options: { multiline?: boolean } = {}): string {
  return value.replace(options.multiline ? CONTROL_BUT_LAYOUT : CONTROL, '');
}
