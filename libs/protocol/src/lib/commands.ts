import { z } from 'zod';
import { blueprintSummarySchema, environmentInfoSchema, resourceNameSchema, RUNTIME_DRIVERS } from './blueprints';
import { pageQuery } from './paging';
import { STACK_FAILURE_POLICIES, StackServicePayload, stackServicePayloadSchema, stackServiceStateSchema, withHiddenEnv } from './stack-definition';

export const COMMAND_STATES = ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];
export const FINISHED_COMMAND_STATES: readonly CommandState[] = ['succeeded', 'failed', 'timed_out', 'cancelled'];

/** Output kept per command: the last this many characters. */
export const MAX_COMMAND_OUTPUT = 64 * 1024;
/** Progress steps kept per command. */
export const MAX_COMMAND_STEPS = 100;

/** Every command an agent runs, with what it needs. */
export const commandPayloadSchemas = {
  'blueprints.list': z.strictObject({}),
  'environment.up': z.strictObject({
    blueprint: resourceNameSchema,
    name: resourceNameSchema,
    /** Left out, the agent takes docker where it has an engine and process otherwise. */
    driver: z.enum(RUNTIME_DRIVERS).optional(),
  }),
  'environment.list': z.strictObject({}),
  'environment.start': z.strictObject({ name: resourceNameSchema }),
  'environment.stop': z.strictObject({ name: resourceNameSchema }),
  'environment.destroy': z.strictObject({ name: resourceNameSchema }),
  /** Deploys a stack's services in dependency order; a service that runs as given is left alone. */
  'stack.deploy': z.strictObject({
    stack: resourceNameSchema,
    onFailure: z.enum(STACK_FAILURE_POLICIES),
    services: z.array(stackServicePayloadSchema).min(1).max(50),
  }),
  /** Stops a stack's services in reverse dependency order; `destroy` also removes them and their volumes. */
  'stack.stop': z.strictObject({ stack: resourceNameSchema, services: z.array(stackServicePayloadSchema).max(50), destroy: z.boolean() }),
} as const;
export type CommandKind = keyof typeof commandPayloadSchemas;
export const COMMAND_KINDS = Object.keys(commandPayloadSchemas) as CommandKind[];
export type CommandPayload<K extends CommandKind = CommandKind> = z.infer<(typeof commandPayloadSchemas)[K]>;

/** What each command answers with when it succeeds. */
export const commandResultSchemas = {
  'blueprints.list': z.object({ blueprints: z.array(blueprintSummarySchema) }),
  'environment.up': z.object({ environment: environmentInfoSchema }),
  'environment.list': z.object({ environments: z.array(environmentInfoSchema) }),
  'environment.start': z.object({ environment: environmentInfoSchema }),
  'environment.stop': z.object({ environment: environmentInfoSchema }),
  'environment.destroy': z.object({ destroyed: z.string() }),
  'stack.deploy': z.object({ services: z.array(stackServiceStateSchema) }),
  'stack.stop': z.object({ services: z.array(stackServiceStateSchema) }),
} as const;

const commandKindSchema = z.enum(COMMAND_KINDS as [CommandKind, ...CommandKind[]]);

/** A command as the hub hands it down to an agent; the payload is checked against its kind's schema. */
export const agentCommandSchema = z
  .strictObject({
    id: z.uuid(),
    kind: commandKindSchema,
    payload: z.record(z.string(), z.unknown()),
    /** The agent gives up on a command it could not finish by then. */
    deadline: z.iso.datetime(),
  })
  .superRefine((command, context) => {
    const parsed = commandPayloadSchemas[command.kind].safeParse(command.payload);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: ['payload', ...issue.path] });
  });
export interface AgentCommand<K extends CommandKind = CommandKind> {
  id: string;
  kind: K;
  payload: CommandPayload<K>;
  deadline: string;
}

export const commandStepSchema = z.strictObject({
  /** A step, or "service:<name>" for a stack's service (names run to 63 characters). */
  name: z.string().min(1).max(80),
  status: z.enum(['started', 'done', 'failed']),
  message: z.string().max(2000).optional(),
  at: z.iso.datetime(),
});
export type CommandStep = z.infer<typeof commandStepSchema>;

/** An agent's word on a command: it started, a step moved, or it finished (with output and a result or an error). */
export const commandUpdateSchema = z.strictObject({
  commandId: z.uuid(),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  step: commandStepSchema.optional(),
  output: z.string().max(MAX_COMMAND_OUTPUT).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().max(2000).optional(),
});
export type CommandUpdate = z.infer<typeof commandUpdateSchema>;

export const commandResponseSchema = z.object({
  id: z.uuid(),
  /** Null once the node was pruned. */
  nodeId: z.uuid().nullable(),
  nodeName: z.string(),
  kind: commandKindSchema,
  payload: z.record(z.string(), z.unknown()),
  state: z.enum(COMMAND_STATES),
  steps: z.array(commandStepSchema),
  output: z.string(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  dispatchedAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
});
export type CommandResponse = z.infer<typeof commandResponseSchema>;

export const commandListQuerySchema = z.strictObject({
  node: z.string().min(1).max(64).optional(),
  state: z.enum(COMMAND_STATES).optional(),
  kind: commandKindSchema.optional(),
  ...pageQuery(500, 50),
});
export type CommandListQuery = z.infer<typeof commandListQuerySchema>;

export const commandListResponseSchema = z.object({
  items: z.array(commandResponseSchema),
  total: z.number().int(),
});
export type CommandListResponse = z.infer<typeof commandListResponseSchema>;

/** Limits on how long a command waits for its node, and runs. */
export const commandTimingSchema = z.strictObject({
  /** How long the command waits for an offline node before it times out (default 1 hour). */
  ttlSeconds: z.number().int().min(1).max(7 * 86_400).optional(),
});

export const environmentUpRequestSchema = commandPayloadSchemas['environment.up'].extend(commandTimingSchema.shape);
export type EnvironmentUpRequest = z.infer<typeof environmentUpRequestSchema>;

export const nodeBlueprintsResponseSchema = z.object({
  node: z.string(),
  blueprints: z.array(blueprintSummarySchema),
});
export type NodeBlueprintsResponse = z.infer<typeof nodeBlueprintsResponseSchema>;

export const nodeEnvironmentsResponseSchema = z.object({
  node: z.string(),
  /** `node` when the agent answered just now; `last-report` (name and status only) when it is offline. */
  source: z.enum(['node', 'last-report']),
  environments: z.array(environmentInfoSchema.partial().required({ name: true, status: true })),
});
export type NodeEnvironmentsResponse = z.infer<typeof nodeEnvironmentsResponseSchema>;

/** A command's payload with a stack's environment values hidden: what viewers and the audit trail get. */
export function payloadWithoutSecrets(kind: string, payload: Record<string, unknown>): Record<string, unknown> {
  if ((kind !== 'stack.deploy' && kind !== 'stack.stop') || !Array.isArray(payload['services'])) return payload;
  return { ...payload, services: withHiddenEnv(payload['services'] as StackServicePayload[]) };
}
