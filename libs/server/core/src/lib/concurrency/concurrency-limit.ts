/** At most `limit` tasks run at once; the others wait in the order they came. */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((start) => this.waiting.push(start));
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
}
