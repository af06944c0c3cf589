import { z } from 'zod';
import { pageQuery } from './paging';

/** Everything a person or a pipeline changes, and every login, leaves one of these. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'key.create',
  'key.revoke',
  'key.rotate',
  'user.create',
  'user.update',
  'cluster.create',
  'cluster.update',
  'cluster.delete',
  'cluster.node.add',
  'cluster.node.remove',
  'node.register',
  'node.refuse',
  'node.reset_identity',
  'node.rename',
  'node.prune',
  'midtier.connect',
  'midtier.refuse',
  'command.create',
  'command.cancel',
  'stack.deploy',
  'stack.stop',
  'stack.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const auditEventSchema = z.object({
  id: z.string(),
  actor: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string().nullable(),
  sourceAddress: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  at: z.iso.datetime(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

const instant = z.iso.datetime().refine((value) => value >= '1970', 'must be 1970 or later');

export const auditQuerySchema = z.strictObject({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor: z.string().max(64).optional(),
  since: instant.optional(),
  until: instant.optional(),
  ...pageQuery(1000, 100),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditListResponseSchema = z.object({
  items: z.array(auditEventSchema),
  total: z.number().int(),
});
export type AuditListResponse = z.infer<typeof auditListResponseSchema>;
