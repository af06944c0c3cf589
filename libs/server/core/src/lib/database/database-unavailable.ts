import { AppException } from '../http/app.exception';

// Connection exceptions (08…) and an operator intervening (57P…: shutdown, crash, not yet accepting connections).
const UNAVAILABLE_STATES = /^(08|57P0[1-3])/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/i;

/** Whether an error means the database cannot be reached right now, rather than that the query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const driverError = (error as { driverError?: unknown }).driverError;
  if (driverError && driverError !== error && isDatabaseUnavailable(driverError)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

/** What a caller is told while the database is away: try again shortly (503, Retry-After). */
export function databaseUnavailable(): AppException {
  return new AppException('hub_unavailable', 'The hub cannot reach its database right now; try again shortly', undefined, { retryAfterSeconds: 5 });
}
