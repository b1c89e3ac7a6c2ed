import { describe, expect, it } from 'vitest';
import { estimate } from '../../load/estimate.ts';
import type { Observation } from '../../load/observe.ts';

// Synthetic observation streams: an evenly paced client (one request every `stepMs`) against
// a tiny reference limiter written here, so the estimator is tested without sockets or clocks.

type Limiter = (tMs: number) => boolean;

const fixedWindow = (limit: number, windowMs: number, offsetMs = 0): Limiter => {
  let idx = Number.NaN;
  let used = 0;
  return (t) => {
    const w = Math.floor((t - offsetMs) / windowMs);
    if (w !== idx) [idx, used] = [w, 0];
    if (used >= limit) return false;
    used++;
    return true;
  };
};

const tokenBucket = (burst: number, ratePerS: number): Limiter => {
  let tokens = burst;
  let last: number | null = null;
  return (t) => {
    if (last !== null) tokens = Math.min(burst, tokens + ((t - last) / 1000) * ratePerS);
    last = t;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
};

/** `durationMs` of requests every `stepMs` from epoch `startMs`, 1 ms round trips. */
const stream = (limiter: Limiter, { startMs = 1_700_000_000_000, stepMs = 5, durationMs = 8000 } = {}): Observation[] => {
  const out: Observation[] = [];
  for (let t = startMs; t < startMs + durationMs; t += stepMs) {
    const allowed = limiter(t + 0.5);
    out.push({ sentMs: t, recvMs: t + 1, status: allowed ? 201 : 429 });
  }
  return out;
};

describe('the estimator, on synthetic observation streams', () => {
  it('names a fixed window and finds its quota and length', () => {
    const e = estimate(stream(fixedWindow(20, 2000)));
    expect(e.algorithm).toBe('fixed_window');
    expect(e.fixedWindow?.limit).toBe(20);
    expect(e.fixedWindow?.windowMs).toBeCloseTo(2000, -1);
  });

  it('finds a window whose start is not aligned to the clock, and its offset', () => {
    const start = 1_700_000_000_000;
    const e = estimate(stream(fixedWindow(7, 3000, start + 1300), { startMs: start, durationMs: 10_000 }));
    expect(e.algorithm).toBe('fixed_window');
    expect(e.fixedWindow?.limit).toBe(7);
    expect(Math.abs((e.fixedWindow?.windowMs ?? 0) - 3000)).toBeLessThan(20);
    const offset = e.fixedWindow?.offsetMs ?? Number.NaN;
    const expected = (start + 1300) % 3000;
    expect(Math.min(Math.abs(offset - expected), 3000 - Math.abs(offset - expected))).toBeLessThan(20);
  });

  it('names a token bucket with a fractional refill rate, its burst and its rate', () => {
    const e = estimate(stream(tokenBucket(5, 2.5)));
    expect(e.algorithm).toBe('token_bucket');
    expect(e.tokenBucket?.burst).toBe(5);
    expect(Math.abs((e.tokenBucket?.ratePerS ?? 0) - 2.5) / 2.5).toBeLessThan(0.01);
  });

  it('finds a large burst that takes a while to drain', () => {
    const e = estimate(stream(tokenBucket(120, 33.3), { stepMs: 4 }));
    expect(e.algorithm).toBe('token_bucket');
    expect(Math.abs((e.tokenBucket?.burst ?? 0) - 120)).toBeLessThanOrEqual(1);
    expect(Math.abs((e.tokenBucket?.ratePerS ?? 0) - 33.3) / 33.3).toBeLessThan(0.02);
  });

  it('tells a bucket of a few tokens from a window of one request', () => {
    const e = estimate(stream(tokenBucket(3, 0.7), { durationMs: 12_000 }));
    expect(e.algorithm).toBe('token_bucket');
    expect(e.tokenBucket?.burst).toBe(3);
  });

  it('gives no algorithm when nothing was throttled', () => {
    const e = estimate(stream(fixedWindow(100_000, 300_000), { durationMs: 1000 }));
    expect(e.algorithm).toBeNull();
    expect(e.reason).toMatch(/not reached/);
  });

  it('ignores requests that got no answer', () => {
    const obs = stream(fixedWindow(10, 1000), { durationMs: 4000 });
    const withErrors = obs.flatMap((o, i) => (i % 50 === 0 ? [o, { sentMs: o.sentMs, recvMs: o.sentMs + 5000, status: null }] : [o]));
    expect(estimate(withErrors).fixedWindow?.limit).toBe(10);
  });
});
