import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses environment variables with a zod object schema, naming every bad variable at once. */
export function loadConfig<T extends z.ZodObject>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  // An empty variable means "not set", as in most .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.map(String).join('.') || '(environment)';
        const value = present[variable];
        const shown = value === undefined ? 'not set' : `got "${/KEY|PASSWORD|SECRET|URL/.test(variable) ? '***' : value}"`;
        return `${variable}: ${issue.message} (${shown})`;
      }),
    );
  }
  return result.data;
}

export const portSchema = z.coerce.number().int().min(1).max(65_535);

export const booleanFlagSchema = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value));

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90s", "15m", "24h", "7d" as a number of seconds. */
export const durationSchema = z
  .string()
  .regex(/^\d+(s|m|h|d)$/, 'expected a duration such as 90s, 15m, 24h or 7d')
  .transform((value) => Number(value.slice(0, -1)) * DURATION_UNITS[value.slice(-1)]);

export const postgresUrlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\/.+/, 'expected a postgres:// connection URL');

/** At boot: the configuration, or a message naming each bad variable and exit code 1. */
export function loadConfigOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${app}: refusing to start. ${error.message}`);
    process.exit(1);
  }
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export const logLevelSchema = z.enum(LOG_LEVELS).default('log');

/** Nest's logger takes every level up to the chosen one. */
export function logLevelsUpTo(level: (typeof LOG_LEVELS)[number]): (typeof LOG_LEVELS)[number][] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
