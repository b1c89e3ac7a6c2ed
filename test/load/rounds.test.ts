import { describe, expect, it } from 'vitest';
import { bucketInterval, headerClaim, quotaClaimedWhole, rateOf, resetClaim } from '../../load/models/rounds.ts';
import type { Observation } from '../../load/observe.ts';

// Issue 22, item 1: what the designed rounds infer, on synthetic streams (exact decision
// times, a 1 ms round trip), so the arithmetic is tested without timing.

/** A GCRA bucket (burst, rate) answering requests sent at `times` (ms). */
const gcraAnswers = (burst: number, ratePerS: number, times: number[], spentBefore = 0): Observation[] => {
  const T = 1000 / ratePerS;
  let tat = spentBefore * T;
  return times.map((t) => {
    const allowed = Math.max(tat, t) - t <= (burst - 1) * T + 1e-9;
    if (allowed) tat = Math.max(tat, t) + T;
    return { sentMs: t, recvMs: t + 1, status: allowed ? 201 : 429, headers: {} };
  });
};

/**
 * The rounds' traffic shape: a sequential burst, pauses growing 2.5 times, a burst, a
 * silence (short of filling a bucket: the rounds time it so), a drain.
 */
const roundsTraffic = (answer: (t: number) => boolean, silenceMs: number): number[] => {
  const times: number[] = [];
  let t = 0;
  const send = () => {
    times.push(t);
    const ok = answer(t);
    t += 1.2;
    return ok;
  };
  while (send());
  let pause = 0.5;
  const t429 = t;
  for (let k = 0; k < 12; k++) {
    t = t429 + pause;
    if (send()) break;
    pause *= 2.5;
  }
  while (send());
  t += silenceMs;
  while (send());
  return times;
};

/** Replays a limiter decision by decision, so the traffic can react to it. */
const live = (decide: (t: number) => boolean, silenceMs = 400) => roundsTraffic(decide, silenceMs);

describe('the designed rounds (synthetic streams)', () => {
  it('brackets a bucket rate from the lattice of its refusals, and the truth lies inside', () => {
    for (const [burst, rate] of [[40, 150], [5, 10], [10, 2.5]] as const) {
      const T = 1000 / rate;
      let tat = 0;
      const times = live((t) => {
        const ok = Math.max(tat, t) - t <= (burst - 1) * T + 1e-9;
        if (ok) tat = Math.max(tat, t) + T;
        return ok;
      }, 0.6 * burst * T);
      const i = bucketInterval(gcraAnswers(burst, rate, times));
      expect(i, `${burst} at ${rate}/s`).not.toBeNull();
      const r = rateOf(i!);
      expect(Math.abs(r.ratePerS - rate), `${burst} at ${rate}/s: ${r.ratePerS} ± ${r.ratePmPerS}`).toBeLessThanOrEqual(r.ratePmPerS);
    }
  });

  it('finds no bucket that explains a fixed window (its whole quota back at once after a pause)', () => {
    const limit = 20;
    const windowMs = 2000;
    const used = new Map<number, number>();
    const decide = (t: number) => {
      const w = Math.floor(t / windowMs);
      const n = used.get(w) ?? 0;
      if (n >= limit) return false;
      used.set(w, n + 1);
      return true;
    };
    const times = live(decide);
    const seen = new Map<number, number>();
    const obs: Observation[] = times.map((t) => {
      const w = Math.floor(t / windowMs);
      const n = seen.get(w) ?? 0;
      const ok = n < limit;
      if (ok) seen.set(w, n + 1);
      return { sentMs: t, recvMs: t + 1, status: ok ? 201 : 429 };
    });
    expect(obs.filter((o) => o.status === 429).length).toBeGreaterThan(1);
    expect(bucketInterval(obs)).toBeNull();
  });

  it('takes X-Ratelimit-Remaining as a hypothesis: counting down to 0 at the 429 holds up, a lie or nothing does not', () => {
    const burst = (rem: number[], last: number) => [
      ...rem.map((r, k) => ({ sentMs: k, recvMs: k + 1, status: 201, headers: { 'x-ratelimit-remaining': String(r) } })),
      { sentMs: rem.length, recvMs: rem.length + 1, status: 429, headers: { 'x-ratelimit-remaining': String(last) } },
    ];
    expect(headerClaim(burst([3, 2, 1, 0], 0))).toBe('consistent');
    // A refill between two successes: Remaining may stay.
    expect(headerClaim(burst([3, 2, 2, 1, 0], 0))).toBe('consistent');
    // "Units left after throttling" (the simulator's lying headers).
    expect(headerClaim(burst([7, 6, 5, 4], 4))).toBe('inconsistent');
    expect(headerClaim(burst([5, 2, 1, 0], 0))).toBe('inconsistent');
    expect(headerClaim([{ sentMs: 0, recvMs: 1, status: 201 }, { sentMs: 1, recvMs: 2, status: 429 }])).toBe('absent');
  });

  it('reads a claim of the quota back whole only where Remaining is the quota less one, and no smaller than the first burst', () => {
    const answer = (h: Record<string, string>) => ({ sentMs: 0, recvMs: 1, status: 201, headers: h });
    expect(quotaClaimedWhole(answer({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '19' }), 18)).toBe(20);
    expect(quotaClaimedWhole(answer({ 'x-ratelimit-remaining': '19' }), 20)).toBe(20);
    // A bucket's token after a pause: one left of twenty.
    expect(quotaClaimedWhole(answer({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0' }), 18)).toBeNull();
    // The first burst let more through than the quota claimed: it straddled a boundary.
    expect(quotaClaimedWhole(answer({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '19' }), 25)).toBeNull();
    expect(quotaClaimedWhole(answer({}), 5)).toBeNull();
  });

  it('reads X-Ratelimit-Reset as Unix seconds or as seconds from the answer, a second either side', () => {
    const at = (reset: string) => resetClaim({ sentMs: 1_000, recvMs: 1_010, status: 201, headers: { 'x-ratelimit-reset': reset } });
    expect(at('3')).toEqual({ fromMs: 3_010, toMs: 5_010 });
    const unix = at('2000000000')!;
    expect(unix.toMs - unix.fromMs).toBe(2_000);
    expect(Math.abs((unix.fromMs + unix.toMs) / 2 - (2_000_000_000_000 - (Date.now() - performance.timeOrigin - performance.now())))).toBeLessThan(50);
    expect(at('soon')).toBeNull();
  });
});
