import { VerifiedKeyCache } from './verified-key-cache';

describe('VerifiedKeyCache', () => {
  it('asks once for a storm of the same key, remembers the answer, and forgets a revoked key', async () => {
    const cache = new VerifiedKeyCache<{ keyId: string }>(60_000);
    let asked = 0;
    const verify = async () => {
      asked++;
      return { keyId: 'k1' };
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.get('thresh_live_a', verify)));
    expect([asked, new Set(answers.map((answer) => answer.keyId))]).toEqual([1, new Set(['k1'])]);
    await cache.get('thresh_live_a', verify);
    expect(asked).toBe(1);
    cache.forgetKey('k1');
    await cache.get('thresh_live_a', verify);
    expect(asked).toBe(2);
  });

  it('does not remember a refusal, and keeps no more than its bound', async () => {
    const cache = new VerifiedKeyCache<{ keyId: string }>(60_000, 2);
    await expect(cache.get('bad', () => Promise.reject(new Error('Unknown credential')))).rejects.toThrow('Unknown credential');
    let asked = 0;
    const verify = (keyId: string) => async () => {
      asked++;
      return { keyId };
    };
    await cache.get('bad', verify('now-good'));
    await cache.get('b', verify('b'));
    await cache.get('c', verify('c'));
    // The oldest went to make room for the third.
    await cache.get('bad', verify('now-good'));
    expect(asked).toBe(4);
  });
});
