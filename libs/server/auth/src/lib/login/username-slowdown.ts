import { AppException } from '@thresh/server-core';
import { setTimeout as sleep } from 'node:timers/promises';

export interface UsernameSlowdownOptions {
  /** Failures of one username (from any address) within the window before its logins are slowed. */
  freeFailures: number;
  windowMs: number;
  /** The pause before each attempt once slowed doubles with every failure, up to this. */
  maxDelayMs: number;
  /** Attempts waiting beyond this are refused (429) rather than queued. */
  maxWaitMs: number;
  /** Usernames remembered at most (a spray over millions of names must not grow memory). */
  maxUsernames: number;
}

const pair = (username: string, address: string) => `${username.toLowerCase()} ${address}`;

interface Tally {
  failures: number;
  since: number;
  /** When the next attempt on this username may be checked: attempts in parallel queue behind each other. */
  nextAt: number;
}

/**
 * A username guessed from many addresses is slowed down, never locked: each attempt on it waits its turn, longer with
 * every failure, so guesses from a thousand addresses go no faster than from one, and its owner still gets in.
 */
export class UsernameSlowdown {
  private readonly tallies = new Map<string, Tally>();
  /** Username and address pairs that logged in before: the owner at their usual place does not queue behind a guesser. */
  private readonly known = new Set<string>();

  constructor(private readonly options: UsernameSlowdownOptions) {}

  /** Waits for the username's turn; 429 when the queue ahead is longer than maxWaitMs. */
  async turn(username: string, address: string): Promise<void> {
    const tally = this.current(username.toLowerCase());
    if (!tally || tally.failures < this.options.freeFailures || this.known.has(pair(username, address))) return;
    const now = Date.now();
    const delayMs = Math.min(this.options.maxDelayMs, 250 * 2 ** (tally.failures - this.options.freeFailures));
    const startAt = Math.max(now, tally.nextAt);
    if (startAt - now > this.options.maxWaitMs) {
      const retryAfterSeconds = Math.ceil((startAt - now) / 1000);
      throw new AppException('rate_limited', `Too many failed logins for this username; retry in ${retryAfterSeconds}s`, undefined, { retryAfterSeconds });
    }
    tally.nextAt = startAt + delayMs;
    await sleep(startAt + delayMs - now);
  }

  failed(username: string): void {
    const key = username.toLowerCase();
    const tally = this.current(key);
    if (tally) {
      tally.failures++;
      return;
    }
    if (this.tallies.size >= this.options.maxUsernames) this.tallies.delete(this.tallies.keys().next().value as string);
    this.tallies.set(key, { failures: 1, since: Date.now(), nextAt: 0 });
  }

  /** Someone who knew the password got in from here: this address is the owner's from now on. */
  succeeded(username: string, address: string): void {
    if (this.known.size >= this.options.maxUsernames) this.known.delete(this.known.values().next().value as string);
    this.known.add(pair(username, address));
  }

  private current(key: string): Tally | undefined {
    const tally = this.tallies.get(key);
    if (tally && Date.now() - tally.since > this.options.windowMs) {
      this.tallies.delete(key);
      return undefined;
    }
    return tally;
  }
}
