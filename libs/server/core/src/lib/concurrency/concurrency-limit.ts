export interface ConcurrencyLimitOptions {
  /** At most this many tasks run at once. */
  limit: number;
  /** A task waiting longer for its turn is not run: `run` rejects with `timedOut()` instead. */
  maxWaitMs: number;
  timedOut: () => Error;
}

/** At most `limit` tasks run at once; the others wait in the order they came, each for at most `maxWaitMs`. */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: ConcurrencyLimitOptions) {}

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.limit) await this.turn();
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The place passes straight to the next task, so a newcomer cannot overtake the queue.
      if (next) next();
      else this.running--;
    }
  }

  private turn(): Promise<void> {
    return new Promise<void>((start, reject) => {
      const begin = () => {
        clearTimeout(timer);
        start();
      };
      // Whoever waited for it has given up by then: running it late would only do work nobody collects.
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(begin), 1);
        reject(this.options.timedOut());
      }, this.options.maxWaitMs);
      this.waiting.push(begin);
    });
  }
}
