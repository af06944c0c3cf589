import { z } from 'zod';

export const STACK_STATUSES = ['deploying', 'running', 'degraded', 'failed', 'stopped'] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

export const stackSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(STACK_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type StackSummary = z.infer<typeof stackSummarySchema>;
