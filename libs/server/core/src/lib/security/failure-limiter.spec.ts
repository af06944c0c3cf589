import { AppException } from '../http/app.exception';
import { FailureLimiter } from './failure-limiter';

describe('FailureLimiter', () => {
  it('blocks a source after its allowed failures, with a retry hint, and leaves other sources alone', async () => {
    const limiter = new FailureLimiter('logins', { failures: 3, windowSeconds: 60, blockSeconds: 120 });
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(limiter.assertAllowed('10.0.0.1')).resolves.toBeUndefined();
      await limiter.recordFailure('10.0.0.1');
    }
    const blocked = await limiter.assertAllowed('10.0.0.1').catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(AppException);
    expect((blocked as AppException).getStatus()).toBe(429);
    expect((blocked as AppException).hints.retryAfterSeconds).toBeGreaterThan(60);
    expect((blocked as AppException).message).toContain('Too many failed logins');
    await expect(limiter.assertAllowed('10.0.0.2')).resolves.toBeUndefined();
  });
});
