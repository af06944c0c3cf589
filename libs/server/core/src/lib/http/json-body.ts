import type { ErrorBody } from '@thresh/protocol';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** Deeper than any schema of the API goes: a body nested further is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

/** How deep arrays and objects nest in a JSON text, counted outside strings, in one pass over the bytes. */
export function jsonDepth(text: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const byte = text[index];
    if (inString) {
      if (byte === 0x5c) index++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return deepest;
}

/** JSON bodies of at most `limit`, nested at most MAX_JSON_DEPTH deep. */
export function jsonBody(limit: string): RequestHandler {
  return json({
    limit,
    verify: (_request, _response, buffer) => {
      if (jsonDepth(buffer) > MAX_JSON_DEPTH) {
        throw Object.assign(new Error(`The body nests deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
      }
    },
  });
}

/**
 * What body-parser refused (too large, not JSON, too deep, an unknown charset), answered as every API error is, with
 * its own status: never the dashboard's page, never a 5xx.
 */
export function bodyParserErrors(error: unknown, _request: Request, response: Response, next: NextFunction): void {
  const { status, type, message } = (error ?? {}) as { status?: unknown; type?: unknown; message?: string };
  if (typeof status !== 'number' || typeof type !== 'string' || status < 400 || status >= 500 || response.headersSent) return next(error);
  const body: ErrorBody = {
    statusCode: status,
    code: 'validation_failed',
    message: status === 413 ? `${message ?? 'The body is too large'}: send less` : type === 'entity.parse.failed' ? `The body is not valid JSON: ${message}` : (message ?? 'Bad body'),
  };
  response.status(status).json(body);
}
