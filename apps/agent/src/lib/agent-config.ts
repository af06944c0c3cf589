import { Errors } from '@oclif/core';
import { TIMEOUT_LADDER } from '@thresh/agent-wire';
import { resolve } from 'node:path';
import { CREDENTIAL_PREFIX, maskCredential, nodeNameSchema, parseCredential } from '@thresh/protocol';
import { z } from 'zod';
import { EXIT } from './exit-codes';
import { CorruptFileError, readJsonFile, writeFileAtomic } from './files';
import { agentPaths } from './paths';
import { CaBundleError, readCaBundle } from './tls-trust';

const apiKeySchema = z
  .string()
  .refine((key) => key.startsWith(CREDENTIAL_PREFIX.agent), {
    message: `expected an agent key starting with ${CREDENTIAL_PREFIX.agent}`,
  })
  .refine((key) => parseCredential(key).ok, { message: 'not a well-formed agent key (bad length or checksum)' });
const urlSchema = z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' });
const booleanSchema = z
  .enum(['true', 'false', 'yes', 'no', '1', '0'], { message: 'expected true or false' })
  .transform((value) => ['true', 'yes', '1'].includes(value));
const secondsSchema = (minimum: number, maximum: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number of seconds')
    .transform(Number)
    .pipe(z.number().min(minimum, `must be at least ${minimum}`).max(maximum, `must be at most ${maximum}`));
/** Stored as an absolute path, so the daemon finds the file whatever its working directory. */
const caBundleSchema = z.string().transform((path, context) => {
  const absolutePath = resolve(path);
  try {
    readCaBundle(absolutePath);
  } catch (error) {
    if (!(error instanceof CaBundleError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
  return absolutePath;
});

export const TRANSPORTS = ['auto', 'socketio', 'signalr', 'rest'] as const;

/** Each setting: how a string from the command line becomes a stored value, and what it means. */
export const CONFIG_KEYS = {
  'midtier-url': { schema: urlSchema, description: 'URL of the mid-tier (or hub) the agent connects to' },
  'api-key': {
    schema: apiKeySchema,
    description: `agent key (${CREDENTIAL_PREFIX.agent}…) from the hub`,
  },
  'tls-verify': { schema: booleanSchema, description: 'verify the TLS certificate of the mid-tier (true or false)' },
  'tls-ca': { schema: caBundleSchema, description: "PEM file of CA certificates to trust besides the system's" },
  transport: {
    schema: z.enum(TRANSPORTS, { message: `expected one of ${TRANSPORTS.join(', ')}` }),
    description: 'auto (WebSocket, else REST polling), socketio (also: signalr) or rest',
  },
  'metrics-interval': { schema: secondsSchema(1, 86_400), description: 'seconds between reports (1 or more)' },
  'reconnect-delay': { schema: secondsSchema(1, 3600), description: 'seconds before the first reconnect attempt' },
  'poll-interval': { schema: secondsSchema(1, 3600), description: 'seconds between polls for commands over REST' },
  'websocket-retry': { schema: secondsSchema(10, 86_400), description: 'seconds between WebSocket attempts while auto polls over REST' },
  'fallback-url': { schema: urlSchema, description: 'URL to fail over to when the primary is unreachable' },
  'auto-failover': { schema: booleanSchema, description: 'move to fallback-url by itself (true or false)' },
  'failover-timeout': { schema: secondsSchema(5, 3600), description: 'seconds the primary must be unreachable before failing over' },
  'failback-delay': {
    schema: secondsSchema(0, 86_400),
    description: 'seconds the primary must answer /health before failing back (0: stay on the fallback until restarted)',
  },
  'node-name': { schema: nodeNameSchema, description: 'name of this node (default: the hostname)' },
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];

export interface AgentConfig {
  'midtier-url'?: string;
  'api-key'?: string;
  'tls-verify': boolean;
  'tls-ca'?: string;
  transport: (typeof TRANSPORTS)[number];
  'metrics-interval': number;
  'reconnect-delay': number;
  'poll-interval': number;
  'websocket-retry': number;
  'fallback-url'?: string;
  'auto-failover': boolean;
  'failover-timeout': number;
  'failback-delay': number;
  'node-name'?: string;
}

export const CONFIG_DEFAULTS: AgentConfig = {
  'tls-verify': true,
  transport: 'auto',
  'metrics-interval': 30,
  'reconnect-delay': TIMEOUT_LADDER.reconnectBaseMs / 1000,
  'poll-interval': TIMEOUT_LADDER.pollIntervalMs / 1000,
  'websocket-retry': TIMEOUT_LADDER.websocketRetryMs / 1000,
  'auto-failover': false,
  'failover-timeout': TIMEOUT_LADDER.failoverMs / 1000,
  'failback-delay': TIMEOUT_LADDER.failbackMs / 1000,
};

export class ConfigValueError extends Error {}

export function isConfigKey(key: string): key is ConfigKey {
  return key in CONFIG_KEYS;
}

export function parseConfigValue(key: ConfigKey, raw: string): NonNullable<AgentConfig[ConfigKey]> {
  const result = CONFIG_KEYS[key].schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigValueError(`Invalid value for ${key}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return result.data as NonNullable<AgentConfig[ConfigKey]>;
}

/** The file may have been edited by hand: what it holds is checked as strictly as `config set` checks. */
const storedConfigSchema = z.object({
  'midtier-url': urlSchema.optional(),
  'api-key': apiKeySchema.optional(),
  'tls-verify': z.boolean().optional(),
  // The file is checked when the agent starts: a missing one must not break "config list".
  'tls-ca': z.string().min(1).optional(),
  transport: z.enum(TRANSPORTS).optional(),
  'metrics-interval': z.number().int().min(1).max(86_400).optional(),
  'reconnect-delay': z.number().int().min(1).max(3600).optional(),
  'poll-interval': z.number().int().min(1).max(3600).optional(),
  'websocket-retry': z.number().int().min(10).max(86_400).optional(),
  'fallback-url': urlSchema.optional(),
  'auto-failover': z.boolean().optional(),
  'failover-timeout': z.number().int().min(5).max(3600).optional(),
  'failback-delay': z.number().int().min(0).max(86_400).optional(),
  'node-name': nodeNameSchema.optional(),
});

function readStoredConfig(): Partial<AgentConfig> {
  const path = agentPaths().config;
  try {
    const result = storedConfigSchema.safeParse(readJsonFile<unknown>(path) ?? {});
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new CorruptFileError(`${path} holds invalid settings (${problems}); fix them with "thresh agent config set"`);
  } catch (error) {
    if (error instanceof CorruptFileError) throw new Errors.CLIError(error.message, { exit: EXIT.usage });
    throw error;
  }
}

export function loadAgentConfig(): AgentConfig {
  return { ...CONFIG_DEFAULTS, ...readStoredConfig() };
}

/** Only what the user set is stored; defaults stay defaults. Setting a value also repairs that value in a bad file. */
export function setAgentConfigValue(key: ConfigKey, value: AgentConfig[ConfigKey]): void {
  const path = agentPaths().config;
  let stored: Record<string, unknown> = {};
  try {
    stored = readJsonFile<Record<string, unknown>>(path) ?? {};
  } catch (error) {
    if (!(error instanceof CorruptFileError)) throw error;
  }
  writeFileAtomic(path, `${JSON.stringify({ ...stored, [key]: value }, null, 2)}\n`);
}

export function displayConfigValue(key: ConfigKey, value: NonNullable<AgentConfig[ConfigKey]>): string {
  return key === 'api-key' ? maskCredential(String(value)) : String(value);
}
