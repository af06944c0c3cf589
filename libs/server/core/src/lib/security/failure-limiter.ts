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
 * so one noisy client cannot guess keys or crowd out the good ones.
 *
 * `reserve: true` (logins) takes a point before each attempt and gives it back on success, so a parallel burst cannot
 * slip past the count, at the price of limiting concurrent attempts too. Without it (credential checks, where a
 * reconnect storm of good agents from one address is normal and a 190-bit secret cannot be guessed anyway) only
 * failures are counted, after the fact.
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

  /** Runs the attempt unless the source is blocked (429 with Retry-After); counts it when isFailure says so. */
  async attempt<T>(source: string, run: () => Promise<T>, isFailure: (error: unknown) => boolean, options = { reserve: false }): Promise<T> {
    if (!options.reserve) {
      const state = await this.limiter.get(source);
      if (state && state.remainingPoints <= 0) throw this.limited(state);
      try {
        return await run();
      } catch (error) {
        if (isFailure(error)) await this.countFailure(source);
        throw error;
      }
    }
    try {
      await this.limiter.consume(source);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw this.limited(rejection);
      throw rejection;
    }
    try {
      const result = await run();
      await this.limiter.reward(source, 1);
      return result;
    } catch (error) {
      if (!isFailure(error)) await this.limiter.reward(source, 1);
      throw error;
    }
  }

  private async countFailure(source: string): Promise<void> {
    const state = await this.limiter.penalty(source, 1);
    if (state.remainingPoints <= 0) await this.limiter.block(source, this.limiter.blockDuration);
  }

  private limited(state: RateLimiterRes): AppException {
    const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new AppException('rate_limited', `Too many failed ${this.what} from this address; retry in ${retryAfterSeconds}s`, undefined, {
      retryAfterSeconds,
    });
  }
}
