import { generateCredential } from '@thresh/protocol';
import { loadMidtierConfig } from './midtier-config';

describe('midtier configuration', () => {
  const base = { HUB_URL: 'http://127.0.0.1:7200' };

  it('accepts a mid-tier key and applies defaults', () => {
    const config = loadMidtierConfig({ ...base, MIDTIER_KEY: generateCredential('midtier', 'acme') });
    expect(config.MIDTIER_PORT).toBe(5000);
    expect(config.MIDTIER_METRICS_BATCH_SIZE).toBe(2000);
    expect(config.MIDTIER_METRICS_FLUSH_MS).toBe(50);
    expect(config.MIDTIER_METRICS_MAX_IN_FLIGHT).toBe(4);
  });

  it.each([
    ['an agent key', generateCredential('agent', 'acme')],
    ['a user token', generateCredential('user', 'acme')],
  ])('refuses %s, naming the thresh_mid_ prefix', (_label, key) => {
    expect(() => loadMidtierConfig({ ...base, MIDTIER_KEY: key })).toThrow(
      /MIDTIER_KEY: must be a mid-tier key starting with thresh_mid_/,
    );
  });

  it('refuses a missing key and a bad hub URL', () => {
    expect(() => loadMidtierConfig({ HUB_URL: 'ftp://hub' })).toThrow(/HUB_URL[\s\S]*MIDTIER_KEY/);
  });
});
