import { describe, expect, it } from 'vitest';
import { judgeFilledBucket } from '../../load/capacity.ts';
import { estimate } from '../../load/estimate.ts';
import { slidingCounter, stream, tokenBucket } from '../support/synthetic-limiters.ts';

// After naming a bucket on a non-simulator target, the prober lets it fill, fires until the
// first 429 and on until the next token is due. Synthetic streams (one request every 5 ms,
// 1 ms round trips) against the reference limiters of test/support/synthetic-limiters.ts: no sockets, no clocks.

const T0 = 1_700_000_000_000;
/** What the steady probing concluded: a bucket of 20 refilled at 10/s. */
const bucketEstimate = () => {
  const e = estimate(stream(tokenBucket(20, 10), { startMs: T0, durationMs: 8000 }));
  expect(e.algorithm).toBe('token_bucket');
  return e;
};
const HOLD = T0 + 12_000;
const WAIT_MS = 3000;

describe('the burst measured on a filled bucket', () => {
  it('counts the burst of a real bucket, which lets the next request through when its token is due', () => {
    const e = bucketEstimate();
    judgeFilledBucket(stream(tokenBucket(20, 10), { startMs: HOLD, durationMs: 400 }), HOLD, WAIT_MS, e);
    expect(e.algorithm).toBe('token_bucket');
    expect(e.tokenBucket?.burstMeasured).toBe(true);
    expect(e.tokenBucket?.burst).toBe(20);
  });

  it('says "not a bucket" when the target then refuses far longer than a token takes (a sliding counter until its window turns)', () => {
    const e = bucketEstimate();
    // The counter's window turns 1 s after the burst; the prober stops 350 ms past the first 429.
    judgeFilledBucket(stream(slidingCounter(20, 2000, HOLD + 1000), { startMs: HOLD, durationMs: 450 }), HOLD, WAIT_MS, e);
    expect(e.algorithm).toBeNull();
    expect(e.reason).toMatch(/not a bucket/);
  });

  it('keeps the bucket when a second limit was already seen to hold the client', () => {
    const e = bucketEstimate();
    e.secondLimit = { throttledForS: 2, successesBefore: 40, startedAtS: 3, stretches: 1, quota: 40, quotaPm: 0, quotaAtLeast: true, windowMs: null, windowPmMs: null, note: '' };
    judgeFilledBucket(stream(slidingCounter(20, 2000, HOLD + 1000), { startMs: HOLD, durationMs: 450 }), HOLD, WAIT_MS, e);
    expect(e.algorithm).toBe('token_bucket');
  });
});
