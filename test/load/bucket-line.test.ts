import { describe, expect, it } from 'vitest';
import { estimate } from '../../load/estimate.ts';
import { stream, tokenBucket } from '../support/synthetic-limiters.ts';

// The simulator's bucket of 40 at 150/s, probed as `load capacity` probes once throttled
// (200/s in an irregular pattern, some phases below the refill rate). When the client slows
// or stalls long enough, the bucket fills and the tokens beyond its size are lost: every
// later recovery lies below the line through the earlier ones. One line through both read
// 144/s and a burst of 71 (an in-process run with a 0.6 s stall); the rate is the slope the
// stretches share, each with its own start.

const T0 = 1_700_000_000_000;
const PATTERN = [1, 0.5, 1.5, 0.7, 1.3, 0.6, 1.4, 1];

describe("a bucket's refill line across tokens lost to a full bucket", () => {
  for (const stallAtMs of [3000, 4500, 6000]) {
    it(`bucket 40 at 150/s, the client stalled for 600 ms at ${stallAtMs / 1000} s: named with its figures`, () => {
      let stalled = false;
      const step = (el: number) => {
        if (!stalled && el >= stallAtMs) {
          stalled = true;
          return 600;
        }
        return 1000 / (200 * PATTERN[Math.floor(el / 150) % PATTERN.length]!);
      };
      const e = estimate(stream(tokenBucket(40, 150), { startMs: T0, stepMs: step, durationMs: 12_000 }));
      expect(e.algorithm, e.reason).toBe('token_bucket');
      expect(e.tokenBucket?.burst).toBe(40);
      expect(Math.abs((e.tokenBucket?.ratePerS ?? 0) - 150)).toBeLessThan(1);
    });
  }
});
