/** The dashboard's session: its user token in an httpOnly, SameSite=Strict cookie that no script can read. */
export const SESSION_COOKIE = 'thresh_session';

/** The session cookie's token in a Cookie header, if there is one. */
export function sessionCookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(separator + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
