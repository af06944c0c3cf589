/** Lets one occurrence per key through each window (an audit row per node and minute, say), remembering a bounded number of keys. */
export class OncePerWindow {
  private readonly lastAt = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** True the first time a key is seen in a window. */
  take(key: string): boolean {
    const now = Date.now();
    if ((this.lastAt.get(key) ?? 0) > now - this.windowMs) return false;
    if (this.lastAt.size >= this.maxKeys) this.lastAt.clear();
    this.lastAt.set(key, now);
    return true;
  }
}
