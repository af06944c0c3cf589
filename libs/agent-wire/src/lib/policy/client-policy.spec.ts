import { backoffDelay, deliveryVerdict, ladderInvariants, TIMEOUT_LADDER } from './client-policy';

describe('TIMEOUT_LADDER', () => {
  it.each(ladderInvariants(TIMEOUT_LADDER))('holds: $rule', ({ holds }) => {
    expect(holds).toBe(true);
  });

  it('names the broken rule of a ladder that breaks one', () => {
    const broken = ladderInvariants({ ...TIMEOUT_LADDER, restSessionMs: 60_000 }).filter((invariant) => !invariant.holds);
    expect(broken.map((invariant) => invariant.rule)).toEqual(['REST session > longest poll hold + answer margin + poll interval']);
  });
});

describe('backoffDelay', () => {
  const extremes = (attempt: number, baseMs: number, capMs?: number) => {
    const random = jest.spyOn(Math, 'random');
    random.mockReturnValue(0);
    const low = backoffDelay(attempt, baseMs, capMs);
    random.mockReturnValue(0.999_999);
    const high = backoffDelay(attempt, baseMs, capMs);
    random.mockRestore();
    return [low, high];
  };

  it('doubles from the base, waiting somewhere in the upper half of each step', () => {
    expect(extremes(0, 1000)).toEqual([500, 1000]);
    expect(extremes(2, 1000)).toEqual([2000, 4000]);
  });

  it('never waits longer than the cap, reconnectCapMs unless told', () => {
    expect(extremes(40, 1000)).toEqual([TIMEOUT_LADDER.reconnectCapMs / 2, TIMEOUT_LADDER.reconnectCapMs]);
    expect(extremes(3, 300_000, 300_000)).toEqual([150_000, 300_000]);
  });
});

describe('deliveryVerdict', () => {
  it('resends what got no answer, or what the server could not serve yet', () => {
    for (const code of [undefined, 'hub_unavailable', 'internal', 'not_registered', 'rate_limited', 'conflict', 'forbidden']) {
      expect([code, deliveryVerdict(code)]).toEqual([code, 'resend']);
    }
  });

  it('drops what the server refused as sent: it would refuse it again', () => {
    expect(deliveryVerdict('validation_failed')).toBe('drop');
    expect(deliveryVerdict('not_found')).toBe('drop');
  });

  it('keeps what a refused key held back, for a person to fix the key', () => {
    expect(deliveryVerdict('unauthorized')).toBe('fix');
  });
});
