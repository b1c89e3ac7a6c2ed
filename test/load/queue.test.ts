import { describe, expect, it } from 'vitest';
import { estimate } from '../../load/estimate.ts';
import { fixedWindow, leakyQueue, stream, tokenBucket } from '../support/synthetic-limiters.ts';

// Limiters that delay before they refuse (issue 22, item 4): nginx `limit_req` without
// `nodelay`, with and without `delay=`, as ngx_http_limit_req_module computes it
// (test/support/synthetic-limiters.ts). Synthetic streams: seeded, no sockets.

const T0 = 1_700_000_000_000;

describe('a queue that delays before it refuses', () => {
  for (const [rate, burst, delay] of [
    [10, 5, 0],
    [20, 10, 0],
    [5, 20, 0],
    [10, 5, 3],
    [20, 10, 5],
  ] as const) {
    for (const stepMs of [5, 20]) {
      it(`limit_req rate=${rate}r/s burst=${burst}${delay ? ` delay=${delay}` : ''}, a request every ${stepMs} ms: a queue with its rate and depth`, () => {
        const e = estimate(stream(leakyQueue(rate, burst, delay), { startMs: T0, stepMs, durationMs: 10_000, workMs: 20, seed: rate + burst }));
        expect(e.algorithm, e.reason).toBe('queue');
        expect(Math.abs((e.queue?.ratePerS ?? 0) - rate) / rate).toBeLessThan(0.01);
        expect(e.queue?.depth).toBe(burst - delay);
        expect(e.queue?.undelayed).toBe(delay);
      });
    }
  }

  it('answers that slow before the first 429 are what names it: without the holds it is a bucket', () => {
    // nginx with nodelay decides alike and answers at once.
    const e = estimate(stream(tokenBucket(6, 10), { startMs: T0, durationMs: 10_000 }));
    expect(e.algorithm).toBe('token_bucket');
    expect(e.queue).toBeNull();
  });

  it('work that merely varies is no queue', () => {
    for (const seed of [1, 2, 3]) {
      const bucket = estimate(stream(tokenBucket(6, 10), { startMs: T0, durationMs: 10_000, workMs: 150, seed }));
      expect(bucket.algorithm, bucket.reason).toBe('token_bucket');
      const window = estimate(stream(fixedWindow(30, 3000), { startMs: T0, durationMs: 10_000, workMs: 150, seed }));
      expect(window.algorithm, window.reason).toBe('fixed_window');
      expect(window.queue).toBeNull();
    }
  });
});
