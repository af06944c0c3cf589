import { loadHubConfig } from './hub-config';

describe('hub configuration', () => {
  it('needs only DATABASE_URL and defaults the rest', () => {
    const config = loadHubConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' });
    expect(config).toEqual(
      expect.objectContaining({
        HUB_PORT: 7200,
        HUB_HOST: '0.0.0.0',
        THRESH_ACCOUNT: 'default',
        THRESH_ADMIN_USERNAME: 'admin',
        HUB_TOKEN_TTL_SECONDS: 30 * 24 * 3600,
      }),
    );
    expect(config.THRESH_ADMIN_PASSWORD).toBeUndefined();
  });

  it('names each variable it cannot accept', () => {
    expect(() =>
      loadHubConfig({ DATABASE_URL: 'postgres://x', THRESH_ADMIN_PASSWORD: 'short', THRESH_ACCOUNT: 'Has_Underscore', HUB_PORT: '70000' }),
    ).toThrow(/HUB_PORT[\s\S]*THRESH_ACCOUNT: lowercase letters and digits[\s\S]*THRESH_ADMIN_PASSWORD: must be at least 8 characters/);
  });

  it('refuses to boot without a database', () => {
    expect(() => loadHubConfig({})).toThrow(/DATABASE_URL/);
  });
});
