import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { verdictOf } from '../support/limiters/catalogue.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { fixedWindow, gcra, slidingCounter, startZoo, withoutQuotaHeaders, type ZooLimiter } from '../support/limiters/zoo.ts';
import { lockout } from '../support/limiters/persistent.ts';

// Issue 22, item 1 and 2 through the CLI: a bucket settled by designed rounds (a sequential
// burst at concurrency 1, pauses, a burst after the recovery, drains) at no more than twice
// the physical minimum (its burst + 1 + 2 refills), where continuous probing spent 872-1107
// requests on the simulator's bucket of 40 at 150/s.

type Rounds = Array<{ round: string; survivors: string[] }>;

/** `load capacity` through the CLI against one limiter of the zoo, closed afterwards. */
const onZoo = async (limiter: () => ZooLimiter, o: Parameters<typeof capacityViaCli>[1]) => {
  const zoo = await startZoo({ limiter });
  try {
    return await capacityViaCli(zoo.url, o);
  } finally {
    await zoo.close();
  }
};

describe('capacity as designed rounds (CLI)', () => {
  it("the simulator's bucket of 40 at 150/s, one limit trusted (--longer-scale 0): named with its figures, a lone request refused (not a concurrency limit), spent <= 2x the minimum", async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'token_bucket', burst: 40, ratePerS: 150 } });
    try {
      const r = await capacityViaCli(sim.url, { durationS: 15, extra: ['--longer-scale', '0'] });
      const c = r.capacity as NonNullable<typeof r.capacity> & { rounds: Rounds | null; requests_spent: number };
      const why = JSON.stringify({ ...c, scores: undefined, timelines: undefined });
      expect(verdictOf(c, { model: 'token_bucket', burst: 40, ratePerS: 150 }), why).toBe('right');
      expect(c.rounds?.[0]?.round, why).toBe('burst');
      expect(c.rounds?.[0]?.survivors, why).not.toContain('concurrency');
      expect(c.rounds?.some((x) => x.round === 'follow'), why).toBe(false);
      expect(c.fit?.find((f) => f.model === 'concurrency')?.fit, why).toBe(0);
      // Against the true bucket's minimum (40 + 1 + 2), not the estimate's own.
      expect(c.requests_spent / 43, why).toBeLessThanOrEqual(2);
    } finally {
      await sim.close();
    }
  });

  // Three tokens of five spent before the rounds start leave little to count. By default a
  // bucket is then followed for 6 s, one request per token, to look for a second limit (the
  // zoo's two tiers bind within it): about 10x the minimum of 8, where continuous probing
  // spent about 150x.
  it('a GCRA bucket of 5 at 10/s, two requests of the same user spent first: right, followed for the longer scale, its rate tight', async () => {
    const r = await onZoo(() => gcra(5, 10), { durationS: 15, othersFirst: 2 });
    const c = r.capacity as NonNullable<typeof r.capacity> & { spent_ratio: number | null; rounds: Rounds | null };
    const why = JSON.stringify({ ...c, scores: undefined });
    expect(verdictOf(c, { model: 'token_bucket', burst: 5, ratePerS: 10 }), why).toBe('right');
    expect(c.rounds?.some((x) => x.round === 'follow'), why).toBe(true);
    expect(c.uncertainty?.['rate_per_s'], why).toBeLessThanOrEqual(0.5);
    expect(c.spent_ratio, why).toBeLessThanOrEqual(15);
  });

  // A fixed window: the quota back whole after a pause rules out a bucket; the burst that
  // spends it, the pauses to the next boundary and one request more time the window and rule
  // out a sliding log; holds of different lengths after the two 429s rule out a lockout.
  // 2.3-3x the minimum of 21 (CI saw 3.0 with a one-second hint) where continuous probing spent about 20x. When the two holds
  // happen to be as long (a lockout cannot be ruled out), the continuous probing decides,
  // and the reason says so.
  it('a fixed window of 20 per 2 s with Retry-After alone, two requests of the same user spent first: right; named by the rounds at under 3.5x the minimum, or handed on for a reason they give', async () => {
    const r = await onZoo(() => withoutQuotaHeaders(fixedWindow(20, 2000, 700)), { durationS: 15, othersFirst: 2 });
    const c = r.capacity as NonNullable<typeof r.capacity> & { spent_ratio: number | null; rounds: Rounds | null; reason: string };
    const why = JSON.stringify({ ...c, scores: undefined });
    expect(verdictOf(c, { model: 'fixed_window', limit: 20, windowS: 2 }), why).toBe('right');
    const after = c.rounds?.find((x) => x.round === 'burst after recovery');
    expect(after?.survivors, why).not.toContain('token_bucket');
    if (c.reason.startsWith('fixed window settled by designed rounds')) {
      expect(c.rounds?.some((x) => x.round === 'second boundary'), why).toBe(true);
      expect(c.spent_ratio, why).toBeLessThanOrEqual(3.5);
    } else expect(c.rounds?.map((x) => x.round), why).toContain('burst after recovery');
  });

  // With X-Ratelimit-* (DevRev's documented fields) the quota need not be spent twice: the
  // headers, tested on the first burst (Remaining down to 0 at its 429) and claiming the quota
  // back whole at the first boundary, are followed through the second either side of the
  // Reset they claim; Remaining back to the quota less one, with no 429 before it, is the
  // next boundary. Worst case 31 + 12 pauses + 2 + 9 = 54 requests, 1.7x the minimum of 31.
  it('a fixed window of 30 per 3 s whose X-Ratelimit-* tell the truth: right, its second boundary timed by Remaining, one quota spent, at most 2x the minimum', async () => {
    const r = await onZoo(() => fixedWindow(30, 3000, 400), { durationS: 15 });
    const c = r.capacity as NonNullable<typeof r.capacity> & { requests_spent: number; rounds: Rounds | null; reason: string };
    const why = JSON.stringify({ ...c, scores: undefined });
    expect(verdictOf(c, { model: 'fixed_window', limit: 30, windowS: 3 }), why).toBe('right');
    const second = c.rounds?.find((x) => x.round === 'second boundary') as { note: string } | undefined;
    expect(second?.note, why).toContain('X-Ratelimit-Remaining back to 29');
    expect(c.requests_spent / 31, why).toBeLessThanOrEqual(2);
  });

  // Headers that lie consistently (twice the quota, units left after throttling) fail the test
  // on the first burst: the rounds time the window by traffic alone, and name no other model.
  it("the simulator's window of 20 per 2 s with lying X-Ratelimit-*: the headers are not followed, and nothing but a fixed window is named", async () => {
    const sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 20, windowS: 2 }, rateLimitHeaders: 'wrong' });
    try {
      const r = await capacityViaCli(sim.url, { durationS: 15 });
      const c = r.capacity as NonNullable<typeof r.capacity> & { rounds: Rounds | null; reason: string };
      const why = JSON.stringify({ ...c, scores: undefined });
      expect(['right', 'unknown'], why).toContain(verdictOf(c, { model: 'fixed_window', limit: 20, windowS: 2 }));
      expect(JSON.stringify(c.rounds), why).not.toContain('X-Ratelimit-Remaining');
    } finally {
      await sim.close();
    }
  });

  it('a lockout (15 successes, then locked 2 s) is never named a fixed window by the rounds', async () => {
    const r = await onZoo(() => lockout(15, 2000), { durationS: 12 });
    const c = r.capacity as NonNullable<typeof r.capacity> & { rounds: Rounds | null; reason: string };
    const why = JSON.stringify({ ...c, scores: undefined });
    expect(c.algorithm, why).not.toBe('fixed_window');
    expect(c.rounds?.[0]?.round, why).toBe('burst');
  });

  // Throttled at a steady rate a sliding-window counter admits like a bucket; only a bucket
  // let fill and fired at past its burst tells them apart. With --duration 8 the rounds'
  // follow is cut short (they hand over, the bucket unconfirmed), and the continuous probing
  // has little time left to let it fill: no bucket may be named then (the full bench saw the
  // counter named a bucket once in three this way; this run does not force that path, so it
  // guards the outcome, not the veto on its own).
  it('a sliding-window counter of 20 per 2 s with --duration 8 is never named a bucket', async () => {
    const r = await onZoo(() => slidingCounter(20, 2000), { durationS: 8, othersFirst: 2 });
    const c = r.capacity as NonNullable<typeof r.capacity> & { rounds: Rounds | null; reason: string };
    const why = JSON.stringify({ ...c, scores: undefined });
    expect(c.algorithm, why).not.toBe('token_bucket');
    expect(c.rounds?.[0]?.round, why).toBe('burst');
  });
});

