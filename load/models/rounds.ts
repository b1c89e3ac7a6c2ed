import { wholeField, type XRateLimitName } from '../../api-model/rate-limit/fields.ts';
import { isAllowed, isThrottled, nowMs, type Observation } from '../observe.ts';
import type { TokenInterval } from './bucket-region.ts';

/**
 * What rounds of designed traffic (sequential bursts, pauses, drains) say about a token
 * bucket, read without any header: the rates a bucket could have had (./bucket-region.ts
 * keeps them exactly; empty, no bucket explains the traffic, as long as it never filled
 * between the first refusal and the last answer: the drains are timed so that it cannot),
 * the burst that rate implies, and what the headers claim, taken as a hypothesis.
 */
export type RateInterval = TokenInterval;

const sorted = (obs: readonly Observation[]) => obs.filter((o) => o.status !== null).sort((a, b) => a.sentMs - b.sentMs);

/** The rate interval's midpoint and half-width, per second. */
export const rateOf = (i: RateInterval) => {
  const hiRate = 1000 / i.loMs;
  const loRate = Number.isFinite(i.hiMs) ? 1000 / i.hiMs : 0;
  return { ratePerS: (hiRate + loRate) / 2, ratePmPerS: (hiRate - loRate) / 2 };
};

/** Successes before the first refusal and the span they took (ms, widest), or null without a refusal. */
export const firstBurst = (obs: readonly Observation[]) => {
  const s = sorted(obs);
  const f = s.findIndex(isThrottled);
  if (f < 0) return null;
  const ok = s.slice(0, f).filter(isAllowed);
  return { successes: ok.length, spanMs: ok.length === 0 ? 0 : s[f]!.recvMs - ok[0]!.sentMs };
};

/**
 * The burst a bucket of token interval T (ms) must have had to let the first burst through:
 * the successes less the tokens that arrived while it ran (one more may have arrived at the
 * edge). A lower bound of the true burst: others may have spent part of it first.
 */
export const burstOf = (obs: readonly Observation[], i: RateInterval) => {
  const b = firstBurst(obs);
  if (!b) return null;
  const refilledMax = b.spanMs / i.loMs + 1;
  const refilledMin = Number.isFinite(i.hiMs) ? Math.max(0, b.spanMs / i.hiMs - 1) : 0;
  const lo = Math.max(1, Math.floor(b.successes - refilledMax));
  const hi = Math.max(lo, Math.ceil(b.successes - refilledMin));
  return { burst: Math.round((lo + hi) / 2), burstPm: Math.max(1, (hi - lo) / 2) };
};

/**
 * After a refusal at `t429` and a first success after a pause, a bucket can hold no more
 * than this many tokens `elapsedMs` after the refusal: its next token was not there at the
 * last refused probe (`lastRefusedMs` after the refusal), so T exceeds that, and the tokens
 * are at most elapsed / T, plus one for the edge.
 */
export const bucketTokensAtMost = (lastRefusedMs: number, elapsedMs: number) => (lastRefusedMs > 0 ? Math.floor(elapsedMs / lastRefusedMs) + 1 : Number.POSITIVE_INFINITY);

/** What the headers of the first burst say, taken as a hypothesis and tested on it. */
export type HeaderClaim = 'consistent' | 'absent' | 'inconsistent';

/**
 * X-Ratelimit-Remaining tested on the first burst for free: it must fall by at most one per
 * success (a bucket may refill between two) and read 0 on the 429 that ends the burst. It
 * says nothing of X-Ratelimit-Limit: a full bucket is the only test of that.
 */
export const headerClaim = (obs: readonly Observation[]): HeaderClaim => {
  const s = sorted(obs);
  const f = s.findIndex(isThrottled);
  if (f < 0) return 'absent';
  const rem = s.slice(0, f + 1).map(remainingOf);
  if (rem.some((r) => r === null)) return 'absent';
  if (rem[rem.length - 1] !== 0) return 'inconsistent';
  for (let k = 1; k < rem.length; k++) if (rem[k]! < rem[k - 1]! - 1) return 'inconsistent';
  return 'consistent';
};

const field = (o: Observation, name: XRateLimitName) => wholeField(o.headers?.[name]);

/** X-Ratelimit-Remaining of one answer, or null. */
export const remainingOf = (o: Observation) => field(o, 'x-ratelimit-remaining');

/**
 * The quota an answer claims is back whole, or null: its X-Ratelimit-Remaining is one less
 * than the quota (X-Ratelimit-Limit, or the first burst's count when it has none), which
 * the first burst at least reached.
 */
export const quotaClaimedWhole = (o: Observation, firstBurstOk: number): number | null => {
  const rem = remainingOf(o);
  if (rem === null) return null;
  const limit = field(o, 'x-ratelimit-limit') ?? rem + 1;
  return rem === limit - 1 && limit >= firstBurstOk ? limit : null;
};

/**
 * When an answer's X-Ratelimit-Reset says the quota comes back (ms, on the observations'
 * clock): DevRev's Unix seconds, or seconds from the answer for limiters that count down.
 * Whole seconds rounded either way, so the boundary lies within a second either side.
 */
export const resetClaim = (o: Observation): { fromMs: number; toMs: number } | null => {
  const r = field(o, 'x-ratelimit-reset');
  if (r === null) return null;
  const atMs = r >= 1e9 ? r * 1000 - (Date.now() - nowMs()) : o.recvMs + r * 1000;
  return { fromMs: atMs - 1000, toMs: atMs + 1000 };
};
