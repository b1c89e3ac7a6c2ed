import { describe, expect, it } from 'vitest';
import { judgeFilledBucket } from '../../load/capacity.ts';
import { estimate } from '../../load/estimate.ts';
import type { Observation } from '../../load/observe.ts';

// After naming a bucket on a non-simulator target, the prober lets it fill, fires until the
// first 429 and on until the next token is due. Synthetic streams (one request every 5 ms,
// 1 ms round trips) against reference limiters written here: no sockets, no clocks.

type Limiter = (tMs: number) => boolean;

const tokenBucket = (burst: number, ratePerS: number): Limiter => {
  let tokens = burst;
  let last: number | null = null;
  return (t) => {
    if (last !== null) tokens = Math.min(burst, tokens + ((t - last) / 1000) * ratePerS);
    last = t;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
};

/** A sliding-window counter whose windows start at `turnMs` modulo `windowMs`. */
const slidingCounter = (limit: number, windowMs: number, turnMs: number): Limiter => {
  let idx = Number.NaN;
  let prev = 0;
  let cur = 0;
  return (t) => {
    const w = Math.floor((t - turnMs) / windowMs);
    if (w !== idx) [idx, prev, cur] = [w, w === idx + 1 ? cur : 0, 0];
    if (prev * (1 - (t - turnMs - w * windowMs) / windowMs) + cur >= limit) return false;
    cur++;
    return true;
  };
};

const stream = (limiter: Limiter, startMs: number, durationMs: number): Observation[] => {
  const out: Observation[] = [];
  for (let t = startMs; t < startMs + durationMs; t += 5) {
    const allowed = limiter(t + 0.5);
    out.push({ sentMs: t, recvMs: t + 1, status: allowed ? 201 : 429 });
  }
  return out;
};

const T0 = 1_700_000_000_000;
/** What the steady probing concluded: a bucket of 20 refilled at 10/s. */
const bucketEstimate = () => {
  const e = estimate(stream(tokenBucket(20, 10), T0, 8000));
  expect(e.algorithm).toBe('token_bucket');
  return e;
};
const HOLD = T0 + 12_000;
const WAIT_MS = 3000;

describe('the burst measured on a filled bucket', () => {
  it('counts the burst of a real bucket, which lets the next request through when its token is due', () => {
    const e = bucketEstimate();
    judgeFilledBucket(stream(tokenBucket(20, 10), HOLD, 400), HOLD, WAIT_MS, e);
    expect(e.algorithm).toBe('token_bucket');
    expect(e.tokenBucket?.burstMeasured).toBe(true);
    expect(e.tokenBucket?.burst).toBe(20);
  });

  it('says "not a bucket" when the target then refuses far longer than a token takes (a sliding counter until its window turns)', () => {
    const e = bucketEstimate();
    // The counter's window turns 1 s after the burst; the prober stops 350 ms past the first 429.
    judgeFilledBucket(stream(slidingCounter(20, 2000, HOLD + 1000), HOLD, 450), HOLD, WAIT_MS, e);
    expect(e.algorithm).toBeNull();
    expect(e.reason).toMatch(/not a bucket/);
  });

  it('keeps the bucket when a second limit was already seen to hold the client', () => {
    const e = bucketEstimate();
    e.secondLimit = { throttledForS: 2, successesBefore: 40, startedAtS: 3 };
    judgeFilledBucket(stream(slidingCounter(20, 2000, HOLD + 1000), HOLD, 450), HOLD, WAIT_MS, e);
    expect(e.algorithm).toBe('token_bucket');
  });
});
