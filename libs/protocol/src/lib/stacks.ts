import { z } from 'zod';
import { STACK_FAILURE_POLICIES, STACK_SERVICE_STATUSES } from './stack-definition';

export const STACK_STATUSES = ['deploying', 'running', 'degraded', 'failed', 'stopped'] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

export const stackServiceResponseSchema = z.object({
  name: z.string(),
  status: z.enum(STACK_SERVICE_STATUSES),
  node: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  healthyAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
});
export type StackServiceResponse = z.infer<typeof stackServiceResponseSchema>;

export const stackSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(STACK_STATUSES),
  node: z.string().nullable(),
  services: z.number().int(),
  healthy: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type StackSummary = z.infer<typeof stackSummarySchema>;

export const stackResponseSchema = stackSummarySchema.omit({ services: true, healthy: true }).extend({
  onFailure: z.enum(STACK_FAILURE_POLICIES),
  deployedBy: z.string().nullable(),
  /** The latest deploy or stop, to follow or inspect with /api/commands/:id. */
  commandId: z.uuid().nullable(),
  error: z.string().nullable(),
  services: z.array(stackServiceResponseSchema),
  definition: z.record(z.string(), z.unknown()),
});
export type StackResponse = z.infer<typeof stackResponseSchema>;

export const stackDeployResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(STACK_STATUSES),
  node: z.string(),
  commandId: z.uuid(),
  /** Services deployed (again) by this deploy; the others were unchanged. */
  changed: z.array(z.string()),
});
export type StackDeployResponse = z.infer<typeof stackDeployResponseSchema>;

export const stackDeleteQuerySchema = z.strictObject({
  /** Also remove the services' volumes. */
  destroy: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
});
