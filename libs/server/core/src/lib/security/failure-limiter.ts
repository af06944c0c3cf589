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
 * so one noisy client cannot guess keys or crowd out the good ones. Every attempt takes a point before it runs,
 * so parallel attempts cannot slip past the count; a success gives its point back.
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
  async attempt<T>(source: string, run: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
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

  private limited(state: RateLimiterRes): AppException {
    const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new AppException('rate_limited', `Too many failed ${this.what} from this address; retry in ${retryAfterSeconds}s`, undefined, {
      retryAfterSeconds,
    });
  }
}
