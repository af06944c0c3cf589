import { z } from 'zod';
import { portSchema, resourceNameSchema } from './blueprints';

export const STACK_FAILURE_POLICIES = ['rollback', 'stop', 'continue'] as const;
export type StackFailurePolicy = (typeof STACK_FAILURE_POLICIES)[number];

const seconds = (fallback: number) => z.number().positive().max(3600).default(fallback);

export const healthcheckSchema = z
  .strictObject({
    http: z.url({ protocol: /^https?$/ }).optional(),
    tcp: portSchema.optional(),
    command: z.string().min(1).max(10_000).optional(),
    /** Seconds between attempts, the time one attempt may take, and how many may fail before the service is in error. */
    interval: seconds(2),
    timeout: seconds(5),
    retries: z.number().int().min(0).max(1000).default(30),
  })
  .refine((check) => [check.http, check.tcp, check.command].filter((kind) => kind !== undefined).length === 1, {
    message: 'give exactly one of http, tcp or command',
  });
export type Healthcheck = z.infer<typeof healthcheckSchema>;

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name: letters, digits and "_", not starting with a digit');

/** One service as written: `depends_on` is accepted for `dependsOn`, as in compose files. */
const serviceInputSchema = z.strictObject({
  name: resourceNameSchema.optional(),
  image: z.string().min(1).max(200).optional(),
  command: z.string().min(1).max(20_000).optional(),
  env: z.record(variableName, z.union([z.string().max(10_000), z.number(), z.boolean()]).transform(String)).default({}),
  ports: z.array(z.unknown()).max(50).default([]),
  volumes: z.array(resourceNameSchema).max(20).default([]),
  dependsOn: z.array(z.string().max(63)).max(50).optional(),
  depends_on: z.array(z.string().max(63)).max(50).optional(),
  healthcheck: healthcheckSchema.optional(),
  restart: z.enum(['no', 'on-failure', 'always']).default('on-failure'),
});

export interface StackService {
  name: string;
  image?: string;
  command?: string;
  env: Record<string, string>;
  ports: number[];
  volumes: string[];
  dependsOn: string[];
  healthcheck?: Healthcheck;
  restart: 'no' | 'on-failure' | 'always';
}

/** A stack as written: services as a list (`[{name, ...}]`) or as a map (`{api: {...}}`). */
export const stackDefinitionInputSchema = z.strictObject({
  name: resourceNameSchema,
  targetNode: z.string().min(1).max(64).optional(),
  targetCluster: z.string().min(1).max(64).optional(),
  onFailure: z.enum(STACK_FAILURE_POLICIES).default('rollback'),
  services: z.union([
    z.array(serviceInputSchema).min(1).max(50),
    z
      .record(z.string().max(63), serviceInputSchema)
      .refine((services) => Object.keys(services).length >= 1 && Object.keys(services).length <= 50, 'give between 1 and 50 services'),
  ]),
});

export interface StackDefinition {
  name: string;
  targetNode?: string;
  targetCluster?: string;
  onFailure: StackFailurePolicy;
  services: StackService[];
}

export interface StackProblem {
  path: string;
  message: string;
}

const REFERENCE = /\$\{([^}.]+)\.(host|port)\}/g;

/** Finds a dependency cycle, as the path that closes it ("api -> auth -> api"), or null. */
export function findCycle(services: Pick<StackService, 'name' | 'dependsOn'>[]): string[] | null {
  const byName = new Map(services.map((service) => [service.name, service]));
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done' || !byName.has(name)) return null;
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, 'visiting');
    trail.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(name, 'done');
    return null;
  };
  for (const service of services) {
    const cycle = visit(service.name);
    if (cycle) return cycle;
  }
  return null;
}

/** Services in layers: each layer depends only on earlier ones, so a layer may start all at once. */
export function deploymentLayers(services: StackService[]): string[][] {
  const placed = new Set<string>();
  const layers: string[][] = [];
  let remaining = [...services];
  while (remaining.length > 0) {
    const ready = remaining.filter((service) => service.dependsOn.every((dependency) => placed.has(dependency)));
    if (ready.length === 0) throw new Error(`dependency cycle among ${remaining.map((service) => service.name).join(', ')}`);
    layers.push(ready.map((service) => service.name));
    for (const service of ready) placed.add(service.name);
    remaining = remaining.filter((service) => !placed.has(service.name));
  }
  return layers;
}

/** Puts each dependency's address in place of `${svc.host}` and `${svc.port}` in an environment value. */
export function resolveReferences(value: string, addresses: Record<string, { host: string; port?: number }>): string {
  return value.replace(REFERENCE, (whole, service: string, part: 'host' | 'port') => {
    const address = addresses[service];
    if (!address) return whole;
    return part === 'host' ? address.host : address.port === undefined ? whole : String(address.port);
  });
}

/**
 * Checks a stack before anything starts, and says every problem at once: the schema, duplicate names, services
 * without an image or a command, bad ports, unknown dependencies and references, cycles.
 */
export function parseStackDefinition(input: unknown): { ok: true; stack: StackDefinition } | { ok: false; problems: StackProblem[] } {
  const parsed = stackDefinitionInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path.length ? issue.path.join('.') : '(root)', message: issue.message })) };
  }
  const problems: StackProblem[] = [];
  const definition = parsed.data;
  const written = Array.isArray(definition.services)
    ? definition.services.map((service, index) => ({ path: `services.${index}`, name: service.name, service }))
    : Object.entries(definition.services).map(([name, service]) => ({ path: `services.${name}`, name: service.name ?? name, service }));

  if (definition.targetNode && definition.targetCluster) problems.push({ path: 'targetCluster', message: 'give targetNode or targetCluster, not both' });
  const seen = new Set<string>();
  const services: StackService[] = [];
  for (const { path, name, service } of written) {
    if (!name) {
      problems.push({ path: `${path}.name`, message: 'every service needs a name' });
      continue;
    }
    if (!resourceNameSchema.safeParse(name).success) problems.push({ path: `${path}.name`, message: `"${name}": lowercase letters, digits, "_" and "-" only` });
    if (seen.has(name)) problems.push({ path: `${path}.name`, message: `duplicate service name "${name}"` });
    if (stackEnvironmentName(definition.name, name).length > 63) {
      problems.push({ path: `${path}.name`, message: `"${definition.name}-${name}" (stack and service name) is longer than 63 characters` });
    }
    seen.add(name);
    if (service.dependsOn && service.depends_on) problems.push({ path: `${path}.depends_on`, message: 'give dependsOn or depends_on, not both' });
    if (!service.image && !service.command) problems.push({ path, message: `service "${name}" needs an image (docker) or a command (process)` });
    const ports: number[] = [];
    service.ports.forEach((port, index) => {
      const valid = portSchema.safeParse(port);
      if (valid.success) ports.push(valid.data);
      else problems.push({ path: `${path}.ports.${index}`, message: `${JSON.stringify(port)} is not a port (1-65535)` });
    });
    services.push({
      name,
      ...(service.image ? { image: service.image } : {}),
      ...(service.command ? { command: service.command } : {}),
      env: service.env,
      ports,
      volumes: service.volumes,
      dependsOn: service.dependsOn ?? service.depends_on ?? [],
      ...(service.healthcheck ? { healthcheck: service.healthcheck } : {}),
      restart: service.restart,
    });
  }
  const names = new Set(services.map((service) => service.name));
  for (const [index, service] of services.entries()) {
    const path = written[index]?.path ?? `services.${index}`;
    for (const dependency of service.dependsOn) {
      if (!names.has(dependency)) problems.push({ path: `${path}.dependsOn`, message: `service "${service.name}" depends on unknown service "${dependency}"` });
      if (dependency === service.name) problems.push({ path: `${path}.dependsOn`, message: `service "${service.name}" depends on itself` });
    }
    for (const [variable, value] of Object.entries(service.env)) {
      for (const [, referenced, part] of value.matchAll(REFERENCE)) {
        if (!names.has(referenced)) problems.push({ path: `${path}.env.${variable}`, message: `\${${referenced}...} names no service of this stack` });
        else if (part === 'port' && services.find((candidate) => candidate.name === referenced)?.ports.length === 0) {
          problems.push({ path: `${path}.env.${variable}`, message: `\${${referenced}.port}: service "${referenced}" has no ports` });
        }
        else if (!service.dependsOn.includes(referenced)) {
          problems.push({ path: `${path}.env.${variable}`, message: `\${${referenced}...} needs "${referenced}" in dependsOn, so it is up first` });
        }
      }
    }
  }
  // All services of a stack share one node: two cannot listen on one port.
  const portOwners = new Map<number, string>();
  for (const [index, service] of services.entries()) {
    for (const port of service.ports) {
      const owner = portOwners.get(port);
      if (owner) problems.push({ path: `${written[index]?.path ?? `services.${index}`}.ports`, message: `port ${port} is already used by service "${owner}"` });
      else portOwners.set(port, service.name);
    }
  }
  const cycle = findCycle(services.filter((service) => !service.dependsOn.includes(service.name)));
  if (cycle) problems.push({ path: 'services', message: `Circular dependency detected: ${cycle.join(' -> ')}` });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, stack: { name: definition.name, ...pick(definition), services } };
}

function pick(definition: z.infer<typeof stackDefinitionInputSchema>): Omit<StackDefinition, 'name' | 'services'> {
  return {
    ...(definition.targetNode ? { targetNode: definition.targetNode } : {}),
    ...(definition.targetCluster ? { targetCluster: definition.targetCluster } : {}),
    onFailure: definition.onFailure,
  };
}

export const STACK_SERVICE_STATUSES = ['pending', 'deploying', 'healthy', 'error', 'stopped'] as const;
export type StackServiceStatus = (typeof STACK_SERVICE_STATUSES)[number];

/** One service as the hub hands it to the node: references resolved, and its environment's name on the node. */
export const stackServicePayloadSchema = z.strictObject({
  name: resourceNameSchema,
  environment: resourceNameSchema,
  image: z.string().min(1).max(200).optional(),
  command: z.string().min(1).max(20_000).optional(),
  env: z.record(variableName, z.string().max(10_000)),
  ports: z.array(portSchema).max(50),
  volumes: z.array(resourceNameSchema).max(20),
  dependsOn: z.array(resourceNameSchema).max(50),
  healthcheck: healthcheckSchema.optional(),
  restart: z.enum(['no', 'on-failure', 'always']),
});
export type StackServicePayload = z.infer<typeof stackServicePayloadSchema>;

export const stackServiceStateSchema = z.object({
  name: z.string(),
  environment: z.string(),
  status: z.enum(STACK_SERVICE_STATUSES),
  startedAt: z.iso.datetime().nullable(),
  healthyAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
});
export type StackServiceState = z.infer<typeof stackServiceStateSchema>;

/** The environment a stack's service runs as on its node. */
export const stackEnvironmentName = (stack: string, service: string) => `${stack}-${service}`;

/** What a viewer sees in place of a service's environment value: those often hold secrets. */
export const HIDDEN_VALUE = '(hidden)';

/** Services with their environment values hidden, for viewers and for the audit trail. */
export function withHiddenEnv<T extends { env: Record<string, string> }>(services: T[]): T[] {
  return services.map((service) => ({ ...service, env: Object.fromEntries(Object.keys(service.env).map((variable) => [variable, HIDDEN_VALUE])) }));
}
