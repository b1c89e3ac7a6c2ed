import { describe, expect, it } from 'vitest';
import { decisionTimes, successesVaryAfterDecision } from '../../load/decision-times.ts';
import { estimate } from '../../load/estimate.ts';
import { fixedWindow, leakyQueue, stream, tokenBucket } from '../support/synthetic-limiters.ts';

// Answers that arrive late by a varying amount (issue 22, item 6): the API's own work after
// the limiter's decision varies by tens to hundreds of ms, refusals come back at once.
// Synthetic streams (seeded, no sockets): the limiter decides at arrival, the work is drawn
// after. The same streams with the decisions' own times named the window before this work.

const T0 = 1_700_000_000_000;

describe('decision times when successes come back late by a varying amount', () => {
  for (const workMs of [30, 60, 150]) {
    for (const seed of [1, 2, 3]) {
      it(`names a fixed window of 30 per 3 s behind 0-${workMs} ms of work (seed ${seed})`, () => {
        const e = estimate(stream(fixedWindow(30, 3000, T0 + 1100), { startMs: T0, durationMs: 10_000, workMs, seed }));
        expect(e.algorithm, e.reason).toBe('fixed_window');
        expect(e.fixedWindow?.limit).toBe(30);
        expect(Math.abs((e.fixedWindow?.windowMs ?? 0) - 3000)).toBeLessThan(20);
      });
    }
  }

  it('also behind a jittered gateway queue before the limiter (requests reach it out of send order)', () => {
    const e = estimate(stream(fixedWindow(30, 3000, T0 + 1100), { startMs: T0, durationMs: 10_000, workMs: 150, waitMs: 5, seed: 4 }));
    expect(e.algorithm, e.reason).toBe('fixed_window');
    expect(e.fixedWindow?.limit).toBe(30);
  });

  it('names a token bucket behind varying work, with its rate', () => {
    const e = estimate(stream(tokenBucket(5, 10), { startMs: T0, durationMs: 10_000, workMs: 150, seed: 5 }));
    expect(e.algorithm, e.reason).toBe('token_bucket');
    expect(e.tokenBucket?.burst).toBe(5);
    expect(Math.abs((e.tokenBucket?.ratePerS ?? 0) - 10)).toBeLessThan(0.1);
  });

  it('reads successes from the send side only when they vary far more than refusals', () => {
    expect(successesVaryAfterDecision([10, 12, 11, 13, 12, 10], [1, 1.5, 1.2, 1, 1.1])).toBe(false);
    expect(successesVaryAfterDecision([10, 60, 110, 40, 150, 90], [1, 1.5, 1.2, 1, 1.1])).toBe(true);
    // Too few refusals to say what waiting before the decision looks like: the receive side stays.
    expect(successesVaryAfterDecision([10, 60, 110, 40, 150, 90], [1, 2])).toBe(false);
    const plain = decisionTimes(stream(fixedWindow(30, 3000), { startMs: T0, durationMs: 5000 }));
    expect(plain.fromSendSide).toBe(false);
    const late = decisionTimes(stream(fixedWindow(30, 3000), { startMs: T0, durationMs: 5000, workMs: 150 }));
    expect(late.fromSendSide).toBe(true);
    // The uncertainty of a decision time is the refusals' spread, not the work's.
    expect(late.spreadMs).toBeLessThan(5);
  });

  it('does not take a queued answer for a late decision', () => {
    // nginx limit_req rate 10/s burst 5 without nodelay: admitted requests wait in its queue
    // up to 500 ms; the limiter decided each at arrival.
    const obs = stream(leakyQueue(10, 5), { startMs: T0, durationMs: 6000, stepMs: 20 });
    const held = obs.filter((o) => o.status === 201).map((o) => o.recvMs - o.sentMs);
    expect(Math.max(...held)).toBeGreaterThan(400);
    const { samples, fromSendSide } = decisionTimes(obs);
    expect(fromSendSide).toBe(true);
    const bySent = [...obs].sort((a, b) => a.sentMs - b.sentMs);
    // Every decision within a few ms of the request's arrival, however long its answer waited.
    const decidedAt = samples.map((x) => x.t).sort((a, b) => a - b);
    const worst = bySent.reduce((m, o, i) => Math.max(m, Math.abs(decidedAt[i]! - (o.sentMs + 0.5))), 0);
    expect(worst).toBeLessThan(3);
    const e = estimate(obs);
    // The decisions are a bucket's: burst + 1 at once, then the rate.
    expect(Math.abs((e.tokenBucket?.ratePerS ?? 0) - 10)).toBeLessThan(0.2);
  });
});
