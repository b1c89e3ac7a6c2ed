import { firstBurst } from '../models/rounds.ts';
import type { Estimate, ModelScore } from '../estimate.ts';
import { isAllowed, isThrottled } from '../observe.ts';
import type { RoundsResult } from './types.ts';

/**
 * The estimate the rounds give for what they settled (a bucket, a window) or an honest
 * unknown: every answer fits it, and the models the rounds' answers exclude are scored out
 * (a sequential refusal: a concurrency limit; a small refill after a pause: a window; the
 * whole quota back at once: a bucket; two holds of different lengths: a lockout; the request
 * after a boundary let through: a sliding log). The uncertainty is the rounds' own, from the
 * widest spans between send and answer, so no round-trip spread is added.
 */
export const roundsEstimate = (r: RoundsResult): Estimate => {
  const recoveries = r.observations.filter((x, i, a) => i > 0 && isAllowed(x) && isThrottled(a[i - 1]!)).length;
  const allowed = r.observations.filter(isAllowed).length;
  const b = r.bucket;
  const w = r.window;
  const named: ModelScore['model'] | null = b ? 'token_bucket' : w ? 'fixed_window' : null;
  const score = (model: ModelScore['model']): ModelScore => {
    const ruledOut = named !== null && model !== named;
    return { model, explained: ruledOut ? 0 : recoveries, of: recoveries, fit: ruledOut ? 0 : 1, mismatches: 0, ruledOut };
  };
  const others: ModelScore['model'][] = w ? ['sliding_window', 'token_bucket', 'concurrency', 'lockout'] : ['fixed_window', 'sliding_window', 'concurrency'];
  return {
    algorithm: named,
    reason: b ? `token bucket settled by designed rounds, ${r.sent} requests: ${r.reason}` : w ? r.reason : `unknown: ${r.reason}`,
    fixedWindow: w ? { algorithm: 'fixed_window', limit: w.limit, limitPm: w.limitPm, windowMs: w.windowMs, windowPmMs: w.windowPmMs, offsetMs: null, windows: 2, mismatches: 0 } : null,
    tokenBucket: b ? { algorithm: 'token_bucket', burst: b.burst, burstPm: b.burstPm, burstMeasured: b.burstMeasured, ratePerS: b.ratePerS, ratePmPerS: b.ratePmPerS, recoveries, mismatches: 0, overdrawn: 0 } : null,
    slidingWindow: null,
    concurrency: null,
    shapingRatePerS: null,
    queue: null,
    lockout: null,
    refusalCounter: null,
    scores: named ? [score(named), ...others.map(score)] : [score('token_bucket'), ...others.map(score)],
    secondLimit: null,
    quotaBeforeFirst429: firstBurst(r.observations)?.successes ?? null,
    successRate: r.sent === 0 ? null : Math.round((allowed / r.sent) * 1000) / 1000,
    rttSpreadMs: 0,
    samples: r.sent,
  };
};
