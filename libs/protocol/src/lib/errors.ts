import { z } from 'zod';

/** Error codes every tier uses, in REST bodies, socket acks and CLI output. */
export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  /** An agent's REST request without a session: register again. */
  'not_registered',
  'rate_limited',
  'hub_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  not_registered: 409,
  rate_limited: 429,
  hub_unavailable: 503,
  internal: 500,
};

export const errorBodySchema = z.object({
  statusCode: z.number().int(),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Flattens zod issues into `field: message` pairs a person can act on. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

export function summarizeIssues(error: z.ZodError): string {
  return describeIssues(error)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}
