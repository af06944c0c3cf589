import { Logger } from '@nestjs/common';
import { databaseUnavailable, isDatabaseUnavailable } from '../database/database-unavailable';
import { AppException } from '../http/app.exception';
import { findNulCharacter } from '../http/zod-validation.pipe';
import { Ack, ackError, summarizeIssues } from '@thresh/protocol';
import { z } from 'zod';

const logger = new Logger('SocketAck');

/** Validates a socket payload and turns any failure into a coded ack, so a bad message never kills the socket. */
export async function handleWithAck<S extends z.ZodType, R extends object>(
  schema: S,
  payload: unknown,
  handler: (input: z.infer<S>) => Promise<R>,
): Promise<Ack<R>> {
  const nulAt = findNulCharacter(payload);
  if (nulAt) return ackError('validation_failed', `${nulAt}: may not contain NUL characters`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return ackError('validation_failed', summarizeIssues(parsed.error));
  try {
    return { ok: true, ...(await handler(parsed.data)) };
  } catch (error) {
    if (error instanceof AppException) return ackError(error.code, error.message);
    if (isDatabaseUnavailable(error)) return ackError('hub_unavailable', databaseUnavailable().message);
    logger.error((error as Error).stack ?? String(error));
    return ackError('internal', 'Internal error');
  }
}

/** Socket.IO hands `data` to the client's connect_error, so it learns the status and code. */
export function toConnectError(caught: unknown): Error {
  const error = isDatabaseUnavailable(caught) ? databaseUnavailable() : caught;
  if (!(error instanceof AppException)) logger.error((error as Error)?.stack ?? String(error));
  const appError = error instanceof AppException ? error : new AppException('internal', 'Internal error');
  return Object.assign(new Error(appError.message), { data: { status: appError.getStatus(), code: appError.code } });
}

/** The Socket.IO room of one account's connections, in whichever namespace: broadcasts never cross accounts. */
export const accountRoom = (accountId: string): string => `account:${accountId}`;

/** The room of the connections made with one credential: revoking it drops them, on whichever hub replica. */
export const keyRoom = (keyId: string): string => `key:${keyId}`;
