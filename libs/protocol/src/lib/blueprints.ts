import { z } from 'zod';

/** Names of blueprints and environments: they become folder and container names. */
export const resourceNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "_" and "-" only, starting with a letter or digit');

export const RUNTIME_DRIVERS = ['process', 'docker'] as const;
export type RuntimeDriver = (typeof RUNTIME_DRIVERS)[number];

const environmentVariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name: letters, digits and "_", not starting with a digit');
const shellScript = z.string().min(1).max(20_000);

export const portSchema = z.number().int().min(1).max(65_535);

/**
 * What an environment is made of. The process driver runs it in a folder of the thresh home; the docker driver in a
 * container of `base`. JSON or YAML.
 */
export const blueprintSchema = z.strictObject({
  name: resourceNameSchema,
  description: z.string().max(500).default(''),
  /** The image for the docker driver (e.g. "python:3.12-slim"); the process driver runs on the host instead. */
  base: z.string().min(1).max(200).default('debian:bookworm-slim'),
  /** Installed with the image's package manager (docker); checked for on the host's PATH (process). */
  packages: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.+_:-]*$/, 'a package name').max(100)).max(200).default([]),
  environment: z.record(environmentVariableName, z.string().max(10_000)).default({}),
  ports: z.array(portSchema).max(50).default([]),
  scripts: z
    .strictObject({
      setup: shellScript.optional(),
      postInstall: shellScript.optional(),
    })
    .default({}),
  /** Named folders (process) or volumes (docker) that outlive a restart, mounted at /<name> in a container. */
  volumes: z.array(resourceNameSchema).max(20).default([]),
  /** A long-running process, supervised and restarted on failure. */
  command: z.string().min(1).max(20_000).optional(),
});
export type Blueprint = z.infer<typeof blueprintSchema>;
export type BlueprintInput = z.input<typeof blueprintSchema>;

export const blueprintSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  base: z.string(),
  source: z.enum(['builtin', 'custom']),
  hasCommand: z.boolean(),
});
export type BlueprintSummary = z.infer<typeof blueprintSummarySchema>;

export const ENVIRONMENT_STATUSES = ['deploying', 'running', 'stopped', 'error'] as const;
export type EnvironmentState = (typeof ENVIRONMENT_STATUSES)[number];

/** One environment on a node, as its agent reports it. */
export const environmentInfoSchema = z.object({
  name: z.string(),
  blueprint: z.string(),
  driver: z.enum(RUNTIME_DRIVERS),
  status: z.enum(ENVIRONMENT_STATUSES),
  createdAt: z.iso.datetime(),
  ports: z.array(z.number().int()),
  /** Process id (process driver) or container id (docker driver) of the running command, when there is one. */
  runningAs: z.string().nullable(),
  restarts: z.number().int(),
  error: z.string().nullable(),
  /** Who manages it ("stack:web"), when something other than a person does. */
  owner: z.string().nullable().optional(),
  /** A digest of what was deployed, set by whoever manages it. */
  revision: z.string().nullable().optional(),
});
export type EnvironmentInfo = z.infer<typeof environmentInfoSchema>;
