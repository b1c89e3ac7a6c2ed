import { describe, expect, it } from 'vitest';
import { bucketCannotExplainGap, estimate, isRival, type Sample } from '../../load/estimate.ts';
import type { Observation } from '../../load/observe.ts';
import { both, fixedWindow, type Limiter, prober, seeded, slidingCounter, slidingLog, stream, tokenBucket } from '../support/synthetic-limiters.ts';

// Synthetic observation streams against reference limiters (test/support/synthetic-limiters.ts).

describe('the estimator, on synthetic observation streams', () => {
  it('names a fixed window and finds its quota and length', () => {
    // Probed as `load capacity` probes once throttled: at one constant rate a window and a
    // lockout (test/load/persistence.test.ts) refuse alike, its pattern of rates tells them apart.
    const e = estimate(stream(fixedWindow(20, 2000), { stepMs: prober(200) }));
    expect(e.algorithm, e.reason).toBe('fixed_window');
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

  it('is not fooled by quota others spent just before probing (the preflight, other pillars)', () => {
    for (const [limit, windowMs] of [[30, 3000], [20, 2000]] as const) {
      const start = 1_700_000_000_000 + 1234;
      const lim = fixedWindow(limit, windowMs);
      lim(start - 150); // an unrelated request of the same user, 150 ms before probing
      const e = estimate(stream(lim, { startMs: start, durationMs: 10_000 }));
      expect(e.algorithm).toBe('fixed_window');
      expect(e.fixedWindow?.limit).toBe(limit);
    }
  });

  it('names a sliding log, not a token bucket', () => {
    const start = 1_700_000_000_000 + 700;
    const lim = slidingLog(10, 2000);
    lim(start - 400); // prior use makes the log's pattern differ from any fixed window
    const e = estimate(stream(lim, { startMs: start, durationMs: 9000 }));
    expect(e.algorithm).toBe('sliding_window');
    expect(e.slidingWindow?.limit).toBe(10);
    expect(Math.abs((e.slidingWindow?.windowMs ?? 0) - 2000)).toBeLessThan(50);
  });

  it('names a concurrency limit when 429s follow the number in flight, not the rate', () => {
    // 3 in flight at most, each admitted request takes 25 to 55 ms; requests every 5 ms.
    // (With a constant service time it would be periodic: a window of 3 per 40 ms admits alike.)
    const out: Observation[] = [];
    const busy: number[] = [];
    const random = seeded(11);
    const jitter = () => random() * 30;
    for (let t = 1_700_000_000_000; t < 1_700_000_000_000 + 4000; t += 5) {
      while (busy.length > 0 && busy[0]! <= t) busy.shift();
      const allowed = busy.length < 3;
      const service = 25 + jitter();
      if (allowed) busy.push(t + service);
      busy.sort((a, b) => a - b);
      out.push({ sentMs: t, recvMs: t + (allowed ? service + 1 : 1), status: allowed ? 201 : 429 });
    }
    const e = estimate(out);
    expect(e.algorithm).toBe('concurrency');
    expect(e.concurrency?.limit).toBe(3);
  });

  it('reports a second limit over a longer scale instead of averaging it away', () => {
    const e = estimate(stream(both(tokenBucket(5, 10), fixedWindow(40, 6000, 1_700_000_000_000 + 5000)), { durationMs: 12_000 }));
    expect(e.algorithm).toBe('token_bucket');
    expect(e.secondLimit).not.toBeNull();
    expect(e.secondLimit!.throttledForS).toBeGreaterThan(1);
  });

  it("fits a bucket's rate on the stretch before a second limit binds, not across its throttled stretch", () => {
    // The 25 per 5 s tier binds 1.5 s in and its window turns 0.7 s later: a stretch too short
    // to report as a second limit by itself, which averaged into the line gave 8.2/s.
    const start = 1_700_000_000_000;
    const e = estimate(stream(both(tokenBucket(10, 10), fixedWindow(25, 5000, start + 2200)), { startMs: start, durationMs: 12_000 }));
    expect(e.algorithm).toBe('token_bucket');
    const tb = e.tokenBucket!;
    expect(Math.abs(tb.ratePerS - 10)).toBeLessThanOrEqual(Math.max(tb.ratePmPerS, 0.1));
    expect(e.secondLimit).not.toBeNull();
  });

  it('tells a refusal no bucket explains from a stall, after the last success', () => {
    // Recoveries 100 ms apart (a bucket of 10/s); then requests every 5 ms refused for 600 ms.
    const sample = (t: number, allowed: boolean): Sample => ({ t, allowed, inFlight: 0 });
    const refused = (from: number, to: number, every: number) => Array.from({ length: Math.floor((to - from) / every) }, (_, k) => sample(from + k * every, false));
    const steady = [sample(0, true), ...refused(5, 700, 5), sample(700, true)];
    expect(bucketCannotExplainGap(steady, 0, steady.length - 1, 100)).toBe(true);
    // The same 700 ms with nothing decided after the first 100: the client stalled, and the
    // tokens that came meanwhile come back as a run of successes.
    const stalled = [sample(0, true), ...refused(5, 100, 5), ...[700, 705, 710, 715, 720, 725].map((t) => sample(t, true))];
    const recovery = stalled.findIndex((x) => x.t === 700);
    expect(bucketCannotExplainGap(stalled, 0, recovery, 100)).toBe(false);
    // Refusals within one token interval of the last success are a bucket's ordinary wait.
    const ordinary = [sample(0, true), ...refused(5, 100, 5), sample(100, true)];
    expect(bucketCannotExplainGap(ordinary, 0, ordinary.length - 1, 100)).toBe(false);
  });

  it('does not name a bucket where a sliding-window counter let its first window through at once', () => {
    // Throttled steadily, a counter of 20 per 2 s admits like a bucket refilled at 10/s; but
    // its first window let 17 through at once (3 spent before probing) and nothing more until
    // the window turned 0.3 s later, when the line through the refills says 15 tokens had come.
    const windowStart = 1_700_000_000_000;
    const start = windowStart + 1700;
    const lim = slidingCounter(20, 2000);
    for (const t of [start - 1000, start - 990, start - 40]) lim(t);
    const e = estimate(stream(lim, { startMs: start, durationMs: 8000 }));
    expect(e.tokenBucket?.overdrawn).toBeGreaterThan(1);
    expect(e.algorithm).not.toBe('token_bucket');
  });

  it('a bucket drained from the start overdraws nothing', () => {
    const lim = tokenBucket(5, 10);
    lim(1_700_000_000_000 - 40); // the preflight
    const e = estimate(stream(lim, { durationMs: 8000 }));
    expect(e.algorithm).toBe('token_bucket');
    expect(e.tokenBucket?.overdrawn).toBeLessThan(0.5);
  });

  it('answers unknown, with the partial facts, when no model explains the run', () => {
    // Throttled at random: no limiter at all behaves like this.
    const coin = seeded(7);
    const random: Limiter = () => coin() < 0.3;
    const e = estimate(stream(random, { durationMs: 4000 }));
    expect(e.algorithm).toBeNull();
    expect(e.reason).toMatch(/no model explains/);
    expect(e.successRate).toBeGreaterThan(0.2);
    expect(e.scores.length).toBeGreaterThan(0);
  });
});

describe('which models the run cannot tell apart', () => {
  const window1 = { fixedWindow: { algorithm: 'fixed_window', limit: 1, limitPm: 0, windowMs: 100, windowPmMs: 5, offsetMs: 0, windows: 60, mismatches: 0 } } as const;
  const window20 = { fixedWindow: { ...window1.fixedWindow, limit: 20, windowMs: 2000 } } as const;
  const win = { model: 'fixed_window', ruledOut: false, fitWithout: 1 } as const;
  const bucket = (fit: number, ruledOut = false) => ({ model: 'token_bucket', ruledOut, fitWithout: fit }) as const;

  it('a bucket that explains the run rivals a window of one request even when the window fits better', () => {
    expect(isRival(window1, win, bucket(0.93))).toBe(true);
  });

  it('but not a bucket below the fit threshold, nor one the first recoveries ruled out', () => {
    expect(isRival(window1, win, bucket(0.7))).toBe(false);
    expect(isRival(window1, win, bucket(0.93, true))).toBe(false);
  });

  it('against a window of several requests, only a fit within one recovery in twenty rivals it', () => {
    expect(isRival(window20, win, bucket(0.93))).toBe(false);
    expect(isRival(window20, win, bucket(0.96))).toBe(true);
  });
});
