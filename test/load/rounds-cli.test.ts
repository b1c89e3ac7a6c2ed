import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { verdictOf } from '../support/limiters/catalogue.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { gcra, startZoo } from '../support/limiters/zoo.ts';

// Issue 22, item 1 and 2 through the CLI: a bucket settled by designed rounds (a sequential
// burst at concurrency 1, pauses, a burst after the recovery, drains) at no more than twice
// the physical minimum (its burst + 1 + 2 refills), where continuous probing spent 872-1107
// requests on the simulator's bucket of 40 at 150/s.

type Rounds = Array<{ round: string; survivors: string[] }>;

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
    const zoo = await startZoo({ limiter: () => gcra(5, 10) });
    try {
      const r = await capacityViaCli(zoo.url, { durationS: 15, othersFirst: 2 });
      const c = r.capacity as NonNullable<typeof r.capacity> & { spent_ratio: number | null; rounds: Rounds | null };
      const why = JSON.stringify({ ...c, scores: undefined });
      expect(verdictOf(c, { model: 'token_bucket', burst: 5, ratePerS: 10 }), why).toBe('right');
      expect(c.rounds?.some((x) => x.round === 'follow'), why).toBe(true);
      expect(c.uncertainty?.['rate_per_s'], why).toBeLessThanOrEqual(0.5);
      expect(c.spent_ratio, why).toBeLessThanOrEqual(15);
    } finally {
      await zoo.close();
    }
  });
});
