import { TIMEOUT_LADDER } from '@thresh/agent-wire';
import { booleanFlagSchema, loadConfig, logLevelSchema, portSchema, trustProxySchema } from '@thresh/server-core';
import { CREDENTIAL_PREFIX, MAX_SAMPLES_PER_BATCH, parseCredential } from '@thresh/protocol';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** Every variable the midtier reads; each is documented in .env.example. */
export const midtierConfigSchema = z.object({
  MIDTIER_PORT: portSchema.default(5000),
  MIDTIER_HOST: z.string().min(1).default('0.0.0.0'),
  /** HTTPS with this certificate and key (PEM files); MIDTIER_DISABLE_HTTPS when TLS ends at a reverse proxy. */
  MIDTIER_TLS_CERT: z.string().min(1).optional(),
  MIDTIER_TLS_KEY: z.string().min(1).optional(),
  MIDTIER_DISABLE_HTTPS: booleanFlagSchema.default(false),
  /** Honour X-Forwarded-* from these proxies (true, a hop count, or addresses); unset: never. */
  TRUST_PROXY: trustProxySchema,
  HUB_URL: z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL of the hub' }),
  /** Other replicas of the hub (comma-separated URLs), tried in turn when the one in use stops answering. */
  HUB_FALLBACK_URLS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((url) => url.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'expected http:// or https:// URLs of hub replicas, comma-separated' }))),
  /** How long the hub in use may stay silent before the midtier moves to the next replica. */
  MIDTIER_HUB_FAILOVER_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  MIDTIER_KEY: z
    .string({ message: `required: a mid-tier key (${CREDENTIAL_PREFIX.midtier}…) from the hub` })
    .refine((key) => key.startsWith(CREDENTIAL_PREFIX.midtier), {
      message: `must be a mid-tier key starting with ${CREDENTIAL_PREFIX.midtier}`,
    })
    .refine((key) => parseCredential(key).ok, { message: 'is not a well-formed key (bad length or checksum)' }),
  /** Samples sent to the hub in one batch once this many are waiting... */
  MIDTIER_METRICS_BATCH_SIZE: z.coerce.number().int().min(1).max(MAX_SAMPLES_PER_BATCH).default(MAX_SAMPLES_PER_BATCH),
  /** ...or this many milliseconds after the first of them came, whichever is sooner: an agent waits at most this long plus the hub's answer. */
  MIDTIER_METRICS_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(50),
  /** Batches the hub may be storing at once: one round trip at a time caps the rate far below what PostgreSQL takes. */
  MIDTIER_METRICS_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(4),
  /** Samples waiting for the hub beyond which agents are told to keep theirs and retry. */
  MIDTIER_METRICS_MAX_QUEUE: z.coerce.number().int().min(100).default(200_000),
  /** Where samples wait on disk while the hub is away, and how much of them (beyond it, the oldest are dropped). */
  MIDTIER_SPOOL_DIR: z.string().min(1).default(join(homedir(), '.thresh-midtier', 'spool')),
  MIDTIER_SPOOL_MAX_MB: z.coerce.number().int().min(1).max(1_000_000).default(256),
  /** Agent connections one address may hold before they authenticate (each is closed after 10 s regardless). */
  MIDTIER_UNAUTHENTICATED_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(256),
  /** How long a validated agent key is trusted without asking the hub again. */
  MIDTIER_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** An agent polling over REST that is silent this long is disconnected (it polls far more often). */
  MIDTIER_AGENT_SESSION_SECONDS: z.coerce.number().int().min(10).max(3600).default(TIMEOUT_LADDER.restSessionMs / 1000),
  MIDTIER_HUB_TLS_VERIFY: booleanFlagSchema.default(true),
  /** A PEM file of the CA that signed the hub's certificate, when it is not one the system trusts. */
  MIDTIER_HUB_TLS_CA: z.string().min(1).optional(),
  /** Longest wait between attempts to reach a lost hub (the waits grow, with jitter, up to this). */
  MIDTIER_HUB_RECONNECT_MAX_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  LOG_LEVEL: logLevelSchema,
});
export type MidtierConfig = z.infer<typeof midtierConfigSchema>;

export function loadMidtierConfig(env: NodeJS.ProcessEnv = process.env): MidtierConfig {
  return loadConfig(midtierConfigSchema, env);
}

export const MIDTIER_CONFIG = Symbol('MIDTIER_CONFIG');
