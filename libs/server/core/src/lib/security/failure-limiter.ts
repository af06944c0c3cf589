import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppException } from '../http/app.exception';

export interface FailureLimiterOptions {
  /** Failures one source may make within the window. */
  failures: number;
  windowSeconds: number;
  /** How long a source that went over stays blocked. */
  blockSeconds: number;
}

/**
 * Counts failed attempts (logins, credential checks) per source address and refuses a source that failed too often,
 * so one noisy client cannot guess keys or crowd out the good ones; successes cost nothing.
 */
export class FailureLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly what: string,
    options: FailureLimiterOptions,
  ) {
    this.limiter = new RateLimiterMemory({
      points: options.failures,
      duration: options.windowSeconds,
      blockDuration: options.blockSeconds,
    });
  }

  /** Throws rate_limited (429 with Retry-After) while the source is blocked. */
  async assertAllowed(source: string): Promise<void> {
    const state = await this.limiter.get(source);
    if (state && state.remainingPoints <= 0) throw this.limited(state);
  }

  async recordFailure(source: string): Promise<void> {
    await this.limiter.penalty(source, 1);
    const state = await this.limiter.get(source);
    if (state && state.remainingPoints <= 0 && state.consumedPoints === this.limiter.points) {
      await this.limiter.block(source, this.limiter.blockDuration);
    }
  }

  private limited(state: RateLimiterRes): AppException {
    const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new AppException('rate_limited', `Too many failed ${this.what} from this address; retry in ${retryAfterSeconds}s`, undefined, {
      retryAfterSeconds,
    });
  }
}
