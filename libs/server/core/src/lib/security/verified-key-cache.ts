import { createHash } from 'node:crypto';

/**
 * Keys checked lately, held by a hash of the key rather than the key: a reconnect storm asks the database once per key,
 * not once per agent. Bounded: past `maxEntries` the oldest go first.
 */
export class VerifiedKeyCache<T extends { keyId: string }> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  /** Checks under way: a storm of agents with one key waits for one answer. */
  private readonly checking = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  async get(key: string, verify: () => Promise<T>): Promise<T> {
    const id = createHash('sha256').update(key).digest('base64');
    const cached = this.entries.get(id);
    if (cached && cached.until > Date.now()) return cached.value;
    const underWay = this.checking.get(id);
    if (underWay) return underWay;
    const check = verify()
      .then((value) => {
        this.entries.delete(id);
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(id, { value, until: Date.now() + this.ttlMs });
        return value;
      })
      .finally(() => this.checking.delete(id));
    this.checking.set(id, check);
    return check;
  }

  /** A revoked or expired key is asked about again next time. */
  forgetKey(keyId: string): void {
    for (const [id, entry] of this.entries) if (entry.value.keyId === keyId) this.entries.delete(id);
  }
}
