import { TIMEOUT_LADDER } from '@thresh/agent-wire';
import { booleanFlagSchema, durationSchema, loadConfig, logLevelSchema, portSchema, postgresUrlSchema, trustProxySchema } from '@thresh/server-core';
import { ACCOUNT_SLUG_PATTERN, usernameSchema } from '@thresh/protocol';
import { z } from 'zod';

/** Every variable the hub reads; each is documented in .env.example. */
export const hubConfigSchema = z.object({
  HUB_PORT: portSchema.default(7200),
  HUB_HOST: z.string().min(1).default('0.0.0.0'),
  /** HTTPS with this certificate and key (PEM files); HUB_DISABLE_HTTPS when TLS ends at a reverse proxy. */
  HUB_TLS_CERT: z.string().min(1).optional(),
  HUB_TLS_KEY: z.string().min(1).optional(),
  HUB_DISABLE_HTTPS: booleanFlagSchema.default(false),
  /** Several hub replicas share this database: Socket.IO broadcasts go between them through PostgreSQL. */
  HUB_REPLICAS: booleanFlagSchema.default(false),
  /** Honour X-Forwarded-* from these proxies (true, a hop count, or addresses); unset: never. */
  TRUST_PROXY: trustProxySchema,
  DATABASE_URL: postgresUrlSchema,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  THRESH_ACCOUNT: z.string().regex(ACCOUNT_SLUG_PATTERN, 'lowercase letters and digits, at most 32').default('default'),
  THRESH_ADMIN_USERNAME: usernameSchema.default('admin'),
  THRESH_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  HUB_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(30 * 24 * 3600),
  /** Requests per minute one address may make to the REST API. */
  HUB_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** Failed logins one address may make in 5 minutes before it is refused (429) for 5 minutes. */
  HUB_LOGIN_FAILURE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Failed credential checks one address may make in a minute before it is refused (429) for a minute. */
  HUB_CREDENTIAL_FAILURE_LIMIT: z.coerce.number().int().min(1).default(30),
  /** How long raw samples, per-minute and per-hour rollups are kept. */
  HUB_RETENTION_RAW_DAYS: z.coerce.number().min(0.01).default(7),
  HUB_RETENTION_MINUTE_DAYS: z.coerce.number().min(0.01).default(30),
  HUB_RETENTION_HOUR_DAYS: z.coerce.number().min(0.01).default(365),
  /** Nodes silent this long are removed, and the removal is audited. */
  HUB_STALE_AGENT_WINDOW: durationSchema.default(24 * 3600),
  /** How often silent nodes are looked for (and stale ones pruned). */
  HUB_STATUS_SWEEP_SECONDS: z.coerce.number().min(0.1).default(5),
  /** How long a command waits for an offline node before it times out. */
  HUB_COMMAND_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  /** Days a finished command (its output and result) is kept. */
  HUB_COMMAND_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Seconds after which a command handed down but not started is handed down again. */
  HUB_COMMAND_REDELIVER_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  /** Agents connected to the hub itself: how long a validated key is trusted, and when a silent REST agent is dropped. */
  HUB_AGENT_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  HUB_AGENT_SESSION_SECONDS: z.coerce.number().int().min(10).max(3600).default(TIMEOUT_LADDER.restSessionMs / 1000),
  /** GET /metrics (its series name every node) answers this bearer token, or any user token; unset: user tokens only. */
  HUB_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** GET /metrics answers anyone, without a token. */
  HUB_METRICS_PUBLIC: booleanFlagSchema.default(false),
  /** Socket.IO connections one address may hold before they authenticate (each is closed after 10 s regardless). */
  HUB_UNAUTHENTICATED_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(256),
  HUB_NODE_GRACE_SECONDS: z.coerce.number().int().min(0).default(15),
  HUB_DASHBOARD_DIR: z.string().optional(),
  LOG_LEVEL: logLevelSchema,
});
export type HubConfig = z.infer<typeof hubConfigSchema>;

export function loadHubConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  return loadConfig(hubConfigSchema, env);
}
