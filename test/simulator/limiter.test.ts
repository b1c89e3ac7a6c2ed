import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter, TokenBucketLimiter } from '../../simulator/limiter.ts';

// The limiters' arithmetic on an injected clock: no waiting, no timing.

const T0 = 1_700_000_000_000; // a multiple of 10 s on the epoch clock

describe('fixed window limiter', () => {
  it('allows exactly `limit` requests per window and counts Remaining down to 0', () => {
    const l = new FixedWindowLimiter(3, 10);
    const seen = [0, 1, 2, 3, 4].map((i) => l.take('u', T0 + i * 100));
    expect(seen.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(seen.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(new Set(seen.map((d) => d.resetS))).toEqual(new Set([T0 / 1000 + 10]));
  });

  it('gives a Retry-After that reaches the reset, and a fresh quota once the window has passed', () => {
    const l = new FixedWindowLimiter(1, 10);
    l.take('u', T0 + 2_500);
    const throttled = l.take('u', T0 + 2_500);
    expect(throttled.allowed).toBe(false);
    expect(throttled.retryAfterS).toBe(8); // ceil(7.5 s)
    expect(T0 / 1000 + 2.5 + throttled.retryAfterS).toBeGreaterThanOrEqual(throttled.resetS);
    const after = l.take('u', T0 + 2_500 + throttled.retryAfterS * 1000);
    expect(after.allowed).toBe(true);
    expect(after.remaining).toBe(0);
  });

  it('keeps users apart', () => {
    const l = new FixedWindowLimiter(1, 10);
    expect(l.take('a', T0).allowed).toBe(true);
    expect(l.take('a', T0).allowed).toBe(false);
    expect(l.take('b', T0).allowed).toBe(true);
  });

  it('starts windows at the offset, not at the clock boundary', () => {
    const l = new FixedWindowLimiter(1, 10, 3.5);
    const d = l.take('u', T0 + 1_000);
    // The window holding T0+1 s started at T0-6.5 s and ends at T0+3.5 s.
    expect(d.resetS).toBe(Math.ceil(T0 / 1000 + 3.5));
    expect(l.take('u', T0 + 3_400).allowed).toBe(false);
    expect(l.take('u', T0 + 3_600).allowed).toBe(true);
  });

  it('spends a user quota on exhaust', () => {
    const l = new FixedWindowLimiter(5, 10);
    l.exhaust('u', T0);
    expect(l.take('u', T0 + 1).allowed).toBe(false);
  });
});

describe('token bucket limiter', () => {
  it('allows a burst, then one request per refilled token', () => {
    const l = new TokenBucketLimiter(2, 3);
    const burst = [0, 0, 0, 0].map(() => l.take('u', T0));
    expect(burst.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(burst.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(burst.every((d) => d.limit === 3)).toBe(true);
    expect(burst[3]!.retryAfterS).toBe(1); // one token after 0.5 s, rounded up
    expect(burst[3]!.resetS).toBe(T0 / 1000 + 2); // full again after 1.5 s, rounded up
    expect(l.take('u', T0 + 499).allowed).toBe(false);
    expect(l.take('u', T0 + 500).allowed).toBe(true);
  });

  it('handles a fractional refill rate', () => {
    const l = new TokenBucketLimiter(0.4, 1);
    expect(l.take('u', T0).allowed).toBe(true);
    const d = l.take('u', T0);
    expect(d.allowed).toBe(false);
    expect(d.retryAfterS).toBe(3); // 2.5 s for one token, rounded up
    expect(l.take('u', T0 + 2_400).allowed).toBe(false);
    expect(l.take('u', T0 + 2_500).allowed).toBe(true);
  });

  it('counts float residue as the whole token it stands for, consistently in Remaining', () => {
    const l = new TokenBucketLimiter(10, 1);
    expect(l.take('u', 0).allowed).toBe(true);
    // Ten refills of 0.1 sum to 0.9999999999999999 in floating point: one token all the same.
    for (let ms = 10; ms < 100; ms += 10) expect(l.take('u', ms).allowed).toBe(false);
    const d = l.take('u', 100);
    expect(d.allowed).toBe(true);
    expect(d.remaining).toBe(0);
  });
});
