import { afterAll, describe, expect, it } from 'vitest';
import { verdictOf } from '../support/limiters/catalogue.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { lockout, refusalCounter } from '../support/limiters/persistent.ts';
import { type RunningZoo, startZoo } from '../support/limiters/zoo.ts';

// `devrev-gate load capacity` as a user runs it, against limiters that punish persistence
// (issue 22, item 3): a counter that includes refusals (before: "throttled after 20
// successes, but no recovery observed", the prober never letting up) and a lockout.

const zoos: RunningZoo[] = [];
afterAll(async () => {
  for (const z of zoos) await z.close();
});

describe('limiters that punish persistence, through the CLI', () => {
  it('a counter of 20 per 2 s that counts refusals: the prober backs off, sees it recover, names it (or says unknown), never wrongly', async () => {
    const zoo = await startZoo({ limiter: () => refusalCounter(20, 2000) });
    zoos.push(zoo);
    const r = await capacityViaCli(zoo.url, { durationS: 15 });
    const c = r.capacity as (typeof r.capacity & { back_off?: Array<{ silent_s: number; recovered: boolean | null }> | null }) | null;
    expect(c, r.stderr).not.toBeNull();
    const why = JSON.stringify({ ...c, scores: undefined });
    // It stopped and probed sparsely, and a probe after a silence was let through.
    expect(c!.back_off?.length ?? 0, why).toBeGreaterThan(0);
    expect(c!.back_off!.some((x) => x.recovered === true), why).toBe(true);
    expect(verdictOf(c!, { model: 'refusal_counter', limit: 20, windowS: 2 }), why).not.toBe('wrong');
  }, 60_000);

  it('a lockout of 1.5 s after 20 successes: named with its figures (or unknown), never a window', async () => {
    const zoo = await startZoo({ limiter: () => lockout(20, 1500) });
    zoos.push(zoo);
    const r = await capacityViaCli(zoo.url, { durationS: 15 });
    expect(r.capacity, r.stderr).not.toBeNull();
    const why = JSON.stringify({ ...r.capacity, scores: undefined });
    expect(verdictOf(r.capacity!, { model: 'lockout', limit: 20, windowS: 1.5 }), why).not.toBe('wrong');
  }, 60_000);
});
