import {
  claimedCredentialKind,
  generateCredential,
  maskCredential,
  parseCredential,
  SECRET_LENGTH,
} from './keys';

describe('credential format', () => {
  it('generates keys with the prefix of their kind and an account', () => {
    expect(generateCredential('agent', 'acme')).toMatch(/^thresh_live_acme_[0-9A-Za-z]{38}$/);
    expect(generateCredential('midtier', 'acme')).toMatch(/^thresh_mid_acme_/);
    expect(generateCredential('user', 'acme')).toMatch(/^thresh_cli_acme_/);
    expect(generateCredential('node', 'acme')).toMatch(/^thresh_node_acme_/);
  });

  it('parses what it generates, offline', () => {
    const key = generateCredential('midtier', 'fleet01');
    const parsed = parseCredential(key);
    expect(parsed).toEqual({
      ok: true,
      credential: expect.objectContaining({ kind: 'midtier', account: 'fleet01' }),
    });
    if (parsed.ok) expect(parsed.credential.secret).toHaveLength(SECRET_LENGTH);
  });

  it('never generates the same secret twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateCredential('agent', 'a')));
    expect(keys.size).toBe(1000);
  });

  it('tells a typo from a real key by its checksum', () => {
    const key = generateCredential('agent', 'acme');
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    expect(parseCredential(key.slice(0, -1) + last)).toEqual({ ok: false, reason: 'bad_checksum' });
    const secretStart = 'thresh_live_acme_'.length;
    const flipped = key.slice(0, secretStart) + (key[secretStart] === 'x' ? 'y' : 'x') + key.slice(secretStart + 1);
    expect(parseCredential(flipped)).toEqual({ ok: false, reason: 'bad_checksum' });
  });

  it.each(['', 'thresh_live_', 'thresh_live_acme_short', 'thresh_root_acme_' + 'a'.repeat(38), 'Bearer xyz'])(
    'rejects malformed %p',
    (value) => {
      expect(parseCredential(value)).toEqual({ ok: false, reason: 'malformed' });
    },
  );

  it('reads the claimed kind from the prefix alone', () => {
    expect(claimedCredentialKind('thresh_mid_whatever')).toBe('midtier');
    expect(claimedCredentialKind('thresh_cli_x')).toBe('user');
    expect(claimedCredentialKind('nope')).toBeUndefined();
  });

  it('masks a key down to its prefix and four characters', () => {
    const key = generateCredential('agent', 'acme');
    const masked = maskCredential(key);
    expect(masked).toMatch(/^thresh_live_acme_[0-9A-Za-z]{4}…$/);
    expect(key.startsWith(masked.slice(0, -1))).toBe(true);
  });
});
