import { z } from 'zod';
import { ERROR_CODES, ErrorCode } from './errors';

/** Every socket request is acknowledged with either its result or a coded error. */
export type Ack<T extends object = object> =
  | ({ ok: true } & T)
  | { ok: false; error: { code: ErrorCode; message: string } };

export const ackErrorSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
});

export function ackError(code: ErrorCode, message: string): Ack<never> {
  return { ok: false, error: { code, message } };
}
