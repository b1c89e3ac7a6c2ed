import { describe, expect, it } from 'vitest';
import { headerClaim, quotaClaimedWhole, resetClaim } from '../../load/models/rounds.ts';

// Issue 22, item 1: what the designed rounds read from the headers, on synthetic answers (the
// buckets the answers allow: ./bucket-region.test.ts).

describe('the designed rounds (synthetic streams)', () => {
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
