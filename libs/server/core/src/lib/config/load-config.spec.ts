import { z } from 'zod';
import { booleanFlagSchema, ConfigError, loadConfig, portSchema } from './load-config';

const schema = z.object({
  HUB_PORT: portSchema.default(7200),
  HUB_DISABLE_HTTPS: booleanFlagSchema.default(false),
  DATABASE_URL: z.string(),
});

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    expect(loadConfig(schema, { DATABASE_URL: 'postgres://x', HUB_PORT: '8080', HUB_DISABLE_HTTPS: 'true' })).toEqual({
      HUB_PORT: 8080,
      HUB_DISABLE_HTTPS: true,
      DATABASE_URL: 'postgres://x',
    });
    expect(loadConfig(schema, { DATABASE_URL: 'postgres://x', HUB_PORT: '' }).HUB_PORT).toBe(7200);
  });

  it('names every bad variable, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig(schema, { HUB_PORT: 'seventy', HUB_DISABLE_HTTPS: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('HUB_PORT');
    expect(message).toContain('got "seventy"');
    expect(message).toContain('HUB_DISABLE_HTTPS: expected true or false');
    expect(message).toContain('DATABASE_URL');
    expect((error as ConfigError).problems).toHaveLength(3);
  });
});
