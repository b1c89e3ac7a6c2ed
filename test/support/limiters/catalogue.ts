import type { LimiterModel } from '../../../api-model/rate-limit/models.ts';
import { concurrency, fixedWindow, gcra, slidingCounter, slidingLog, tiers, type ZooOptions } from './zoo.ts';

/**
 * The zoo's animals: each limiter with the truth a verdict is judged against. `right`
 * means the estimate names the model and its figures within their uncertainty (with a
 * floor of one unit and 5% for rates and windows); `unknown` is an honest answer; anything
 * else is `wrong`.
 */
export interface Truth {
  model: LimiterModel;
  limit?: number;
  windowS?: number;
  burst?: number;
  ratePerS?: number;
  /** A second, longer-scale limit binds during probing: its quota and window. */
  secondLimit?: { quota: number; windowS: number };
}

export interface Animal {
  name: string;
  zoo: ZooOptions;
  truth: Truth;
  /** Seconds of probing the CLI gets (--duration). */
  durationS: number;
  /** The verdict the tests require: `right`, or an honest `right or unknown`. */
  expect: 'right' | 'right-or-unknown';
}

export const ZOO: Animal[] = [
  { name: 'fixed window 30 per 3 s', zoo: { limiter: () => fixedWindow(30, 3000) }, truth: { model: 'fixed_window', limit: 30, windowS: 3 }, durationS: 15, expect: 'right' },
  { name: 'fixed window 20 per 2 s, offset 0.7 s', zoo: { limiter: () => fixedWindow(20, 2000, 700) }, truth: { model: 'fixed_window', limit: 20, windowS: 2 }, durationS: 15, expect: 'right' },
  { name: 'token bucket (GCRA) burst 5, 10/s', zoo: { limiter: () => gcra(5, 10) }, truth: { model: 'token_bucket', burst: 5, ratePerS: 10 }, durationS: 15, expect: 'right' },
  { name: 'sliding log 20 per 2 s', zoo: { limiter: () => slidingLog(20, 2000) }, truth: { model: 'sliding_window', limit: 20, windowS: 2 }, durationS: 15, expect: 'right-or-unknown' },
  {
    name: 'sliding counter 20 per 2 s',
    zoo: { limiter: () => slidingCounter(20, 2000) },
    truth: { model: 'sliding_window', limit: 20, windowS: 2 },
    // Throttled at a steady rate the counter admits like a bucket of the limit refilled at
    // limit per window. Its first window lets the limit through at once, then nothing until
    // the window turns: a bucket is ruled out when that is later than the refills' line
    // allows (most runs: unknown). When the window turned within about 0.2 s of the first
    // burst (one window phase in 13) a bucket was named; the prober now lets a named bucket
    // fill and fires across the next token, and the counter holds until its window turns.
    durationS: 15,
    expect: 'right-or-unknown',
  },
  { name: 'concurrency 4 in flight, 40 ms work', zoo: { limiter: () => concurrency(4), delayAfterMs: 40 }, truth: { model: 'concurrency', limit: 4 }, durationS: 10, expect: 'right-or-unknown' },
  { name: 'shaping 10/s (queue, no 429)', zoo: { limiter: () => fixedWindow(1e9, 1000), shapeRatePerS: 10 }, truth: { model: 'shaping', ratePerS: 10 }, durationS: 10, expect: 'right-or-unknown' },
  {
    // The longer tier binds within the minimum probing time whatever the phase of its window.
    name: 'two tiers: bucket 10, 10/s + 25 per 5 s',
    zoo: { limiter: () => tiers(gcra(10, 10), fixedWindow(25, 5_000)) },
    truth: { model: 'token_bucket', burst: 10, ratePerS: 10, secondLimit: { quota: 25, windowS: 5 } },
    // The rate is fitted within the stretches the bucket explains, so a short throttled stretch
    // of the second tier is no longer averaged into it (it gave 8.3/s ± 0.013 for 10/s).
    durationS: 15,
    expect: 'right-or-unknown',
  },
  { name: 'fixed window 20 per 2 s behind a gateway queue (5 ms ± 50%)', zoo: { limiter: () => fixedWindow(20, 2000), delayBeforeMs: 5 }, truth: { model: 'fixed_window', limit: 20, windowS: 2 }, durationS: 15, expect: 'right-or-unknown' },
  { name: 'token bucket 5, 10/s, 30 ms work after the decision', zoo: { limiter: () => gcra(5, 10), delayAfterMs: 30 }, truth: { model: 'token_bucket', burst: 5, ratePerS: 10 }, durationS: 15, expect: 'right-or-unknown' },
  { name: 'fixed window 20 per 2 s keyed by client address', zoo: { limiter: () => fixedWindow(20, 2000), keyBy: 'address' }, truth: { model: 'fixed_window', limit: 20, windowS: 2 }, durationS: 15, expect: 'right-or-unknown' },
];

export type Verdict = 'right' | 'unknown' | 'wrong';

/** What capacity.json says, as far as a verdict needs it. */
export interface Saved {
  algorithm: string | null;
  limit: number | null;
  window_s: number | null;
  burst: number | null;
  rate_per_s: number | null;
  uncertainty?: Record<string, number>;
  second_limit?: { quota?: number | null; quota_pm?: number; quota_at_least?: boolean; window_s?: number | null; window_pm_s?: number | null } | null;
  /** The estimate states the burst as a lower bound. */
  burst_at_least?: boolean;
}

const within = (est: number | null, truth: number | undefined, pm: number | undefined, floor: number) =>
  truth === undefined || (est !== null && Math.abs(est - truth) <= Math.max(pm ?? 0, floor));

export const verdictOf = (c: Saved, t: Truth): Verdict => {
  if (c.algorithm === null) return 'unknown';
  if (c.algorithm !== t.model) return 'wrong';
  const u = c.uncertainty ?? {};
  const ok =
    within(c.limit, t.limit, u['limit'], 1) &&
    within(c.window_s, t.windowS, u['window_s'], (t.windowS ?? 0) * 0.05) &&
    (c.burst_at_least && t.burst !== undefined && c.burst !== null ? t.burst >= c.burst - Math.max(u['burst'] ?? 0, 1) : within(c.burst, t.burst, u['burst'], 1)) &&
    within(c.rate_per_s, t.ratePerS, u['rate_per_s'], (t.ratePerS ?? 0) * 0.05) &&
    secondLimitRight(c.second_limit, t.secondLimit);
  return ok ? 'right' : 'wrong';
};

/** The second limit is there, and its own figures, where given, hold the truth (a lower bound may lie below it; one unit, 5% slack). */
const secondLimitRight = (l: Saved['second_limit'], t: Truth['secondLimit']): boolean => {
  if (!t) return true;
  if (!l) return false;
  const quota = l.quota == null || (l.quota_at_least ? l.quota <= t.quota + 1 : within(l.quota, t.quota, l.quota_pm, 1));
  return quota && (l.window_s == null || within(l.window_s, t.windowS, l.window_pm_s ?? undefined, t.windowS * 0.05));
};
