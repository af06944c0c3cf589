import { AppException } from '../http/app.exception';
import { FailureLimiter } from './failure-limiter';

const fail = () => Promise.reject(new Error('wrong'));
const succeed = () => Promise.resolve('ok');
const always = () => true;

describe('FailureLimiter', () => {
  it('blocks a source after its allowed failures, with a retry hint, and leaves other sources alone', async () => {
    const limiter = new FailureLimiter('logins', { failures: 3, windowSeconds: 60, blockSeconds: 120 });
    for (let attempt = 0; attempt < 3; attempt++) await expect(limiter.attempt('10.0.0.1', fail, always)).rejects.toThrow('wrong');
    const blocked = await limiter.attempt('10.0.0.1', succeed, always).catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(AppException);
    expect((blocked as AppException).getStatus()).toBe(429);
    expect((blocked as AppException).hints.retryAfterSeconds).toBeGreaterThan(60);
    expect((blocked as AppException).message).toContain('Too many failed logins');
    await expect(limiter.attempt('10.0.0.2', succeed, always)).resolves.toBe('ok');
  });

  it('does not count successes, or errors that are not failures', async () => {
    const limiter = new FailureLimiter('checks', { failures: 2, windowSeconds: 60, blockSeconds: 60 });
    for (let attempt = 0; attempt < 10; attempt++) await expect(limiter.attempt('a', succeed, always)).resolves.toBe('ok');
    for (let attempt = 0; attempt < 10; attempt++) await expect(limiter.attempt('a', fail, () => false)).rejects.toThrow('wrong');
    await expect(limiter.attempt('a', succeed, always)).resolves.toBe('ok');
  });

  it('with reserve, counts parallel failures: a burst cannot slip past the limit', async () => {
    const limiter = new FailureLimiter('logins', { failures: 5, windowSeconds: 60, blockSeconds: 60 });
    const slowFail = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('wrong')), 20));
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        limiter.attempt('burst', slowFail, always, { reserve: true }).catch((error: Error) => (error instanceof AppException ? 429 : 401)),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 401)).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 429)).toHaveLength(45);
  });

  it('without reserve, lets a parallel burst of good attempts through', async () => {
    const limiter = new FailureLimiter('checks', { failures: 5, windowSeconds: 60, blockSeconds: 60 });
    const slowSucceed = () => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), 20));
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => limiter.attempt('storm', slowSucceed, always)));
    expect(outcomes.every((outcome) => outcome === 'ok')).toBe(true);
  });
});
