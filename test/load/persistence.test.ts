import { describe, expect, it } from 'vitest';
import { Backoff, persistent } from '../../load/backoff.ts';
import { estimate } from '../../load/estimate.ts';
import type { Observation } from '../../load/observe.ts';
import { drive, fixedWindow, lockout, prober, refusalCounter, tokenBucket } from '../support/synthetic-limiters.ts';

// Limiters that punish persistence (issue 22, item 3), driven closed loop as `load capacity`
// drives them: 200/s in its irregular pattern once throttled, and its back-off (stop, then
// one probe after each silence, each twice the last) when refusals go on past the wait the
// first 429 advertised (here none is advertised: 2 s). Synthetic, deterministic.

const T0 = 1_700_000_000_000;
const run = (limiter: ReturnType<typeof fixedWindow>, durationMs = 15_000) => {
  const backoff = new Backoff(() => null);
  const obs = drive(limiter, { startMs: T0, stepMs: prober(200), durationMs, hold: (o, t) => backoff.holdUntil(o, t), onSend: (t) => backoff.onSend(t) });
  return { obs, backoff, e: estimate(obs) };
};

describe('backing off from refusals that go on', () => {
  it('stops hammering a counter that includes refusals, probes sparsely and sees it recover', () => {
    const { obs, backoff } = run(refusalCounter(20, 2000));
    expect(backoff.silences.length).toBeGreaterThan(2);
    expect(backoff.silences.some((x) => x.recovered)).toBe(true);
    // Without backing off the same 15 s send ~3,000 requests and never get through again.
    const hammered = drive(refusalCounter(20, 2000), { startMs: T0, stepMs: prober(200), durationMs: 15_000 });
    expect(hammered.slice(25).some((o) => o.status === 201)).toBe(false);
    expect(obs.length).toBeLessThan(hammered.length / 2);
  });

  it('a refusal past the advertised wait is persistent; one before it is not', () => {
    const at = (sentMs: number, status: number, retryAfter?: string): Observation => ({ sentMs, recvMs: sentMs + 1, status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });
    const wait = (o: Observation) => (o.headers?.['retry-after'] ? Number(o.headers['retry-after']) : null);
    const base = [at(0, 201), at(10, 429, '1')];
    expect(persistent([...base, at(900, 429, '1')], wait)).toBe(false);
    expect(persistent([...base, at(1300, 429, '1')], wait)).toBe(true);
    // A success since resets the stretch.
    expect(persistent([...base, at(1100, 201), at(1300, 429, '1')], wait)).toBe(false);
    // No wait advertised: 2 s of refusals.
    expect(persistent([at(0, 201), at(10, 429), at(1500, 429)], wait)).toBe(false);
    expect(persistent([at(0, 201), at(10, 429), at(2100, 429)], wait)).toBe(true);
  });
});

describe('lockouts and counters that include refusals are models of their own', () => {
  for (const [limit, windowMs] of [
    [20, 2000],
    [10, 1000],
    [30, 3000],
  ] as const) {
    it(`a counter of ${limit} per ${windowMs / 1000} s that counts refusals: named with its figures`, () => {
      const { e } = run(refusalCounter(limit, windowMs));
      expect(e.algorithm, e.reason).toBe('refusal_counter');
      expect(e.refusalCounter?.limit).toBe(limit);
      expect(Math.abs(e.refusalCounter!.windowMs - windowMs)).toBeLessThanOrEqual(e.refusalCounter!.windowPmMs);
    });
  }

  for (const [limit, lockMs] of [
    [20, 1500],
    [30, 1000],
  ] as const) {
    it(`a lockout of ${lockMs / 1000} s after ${limit} successes: named with its figures, not a window`, () => {
      const { e } = run(lockout(limit, lockMs));
      expect(e.algorithm, e.reason).toBe('lockout');
      expect(e.lockout?.limit).toBe(limit);
      expect(Math.abs(e.lockout!.lockMs - lockMs)).toBeLessThanOrEqual(Math.max(e.lockout!.lockPmMs, 20));
    });
  }

  it('a lockout that every attempt prolongs is not named a window, a bucket or a fixed lockout', () => {
    for (const durationMs of [15_000, 20_000, 30_000]) {
      const { e } = run(lockout(20, 1000, { extend: true }), durationMs);
      expect(e.algorithm, e.reason).toBeNull();
      expect(e.reason).toMatch(/only after it went quiet/);
    }
  });

  it('windows and buckets stay what they are', () => {
    expect(run(fixedWindow(20, 2000)).e.algorithm).toBe('fixed_window');
    expect(run(fixedWindow(30, 3000, T0 + 700)).e.algorithm).toBe('fixed_window');
    expect(run(tokenBucket(5, 10)).e.algorithm).toBe('token_bucket');
  });
});
