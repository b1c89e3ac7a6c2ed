import { isAllowed, isThrottled, nowMs, type Observation } from '../observe.ts';
import { remainingOf, resetClaim } from '../models/rounds.ts';
import type { RoundsSession } from './session.ts';
import type { Recovery, RoundsResult, WindowFromRounds } from './types.ts';

/** Probes through a claimed reset this far apart, ms: the boundary to an eighth of a second, at most 16 requests. */
const BOUNDARY_STEP_MS = 125;
/** A window timed more loosely than this share of its length either side is handed on. */
const WINDOW_PM_SHARE = 0.15;

/** A boundary lies after the last refused request was sent and before the first let through was answered. */
const boundary = (p: Recovery, refusal: Observation) => ({ lo: (p.lastRefused ?? refusal).sentMs, hi: p.recovered!.recvMs });
const ms = (x: { lo: number; hi: number }) => `${Math.round(x.lo)}-${Math.round(x.hi)} ms`;

/**
 * The quota came back whole after a pause: a fixed window, or a sliding log, a lockout or a
 * counter of refusals that can look like one. The burst just refused spent the new window;
 * the pauses after it find the next boundary, and one request more at once tells a window
 * (a new quota) from a sliding log (which forgets the lone request let through at the first
 * boundary, then nothing until the burst's requests age, after the silence before it).
 * A lockout holds for as long after every 429; two holds of different lengths rule it out.
 * What cannot be told apart is left to the continuous probing, on a window just turned.
 */
export const windowRound = async (s: RoundsSession, a: { first: number; firstRefusal: Observation; p1: Recovery; m: number; bucketMax: number; fastestRttMs: number }): Promise<RoundsResult> => {
  // A bucket is ruled out only when more came back than it could have refilled; else (a
  // boundary right after the first burst) the rounds below test the window on their own.
  const noBucket = a.m > a.bucketMax;
  if (noBucket) s.ruledOut = { models: ['token_bucket', 'queue'], why: `after a pause the target let ${a.m} through at once, more than a bucket that had not refilled a token could hold (${a.bucketMax})` };
  const handOver = (why: string) => {
    // A window just turned is not drained; a bucket not ruled out may be.
    s.rest = noBucket ? 0 : null;
    return s.done(`${why}; the continuous probing decides`);
  };
  if (a.first > a.m + 1) return handOver(`the first burst let ${a.first} through, the burst after recovery ${a.m}: the first may have straddled a boundary`);
  const refusal2 = s.obs[s.obs.length - 1]!;
  const p2 = await s.untilRecovered(refusal2, a.fastestRttMs, noBucket);
  if (p2 === 'broken') return s.done('no answer to a probe after the second 429');
  if (!p2.recovered) return handOver('no request was let through after the second 429');
  if (s.stopped()) return handOver('the request budget or --duration ran out at the second boundary');
  const next = await s.one();
  if (next.status === null) return s.done('no answer after the second boundary');
  const whole = isAllowed(next);
  s.record({
    round: 'second boundary',
    sent: s.obs.length,
    survivors: whole ? ['fixed_window', 'lockout'] : ['sliding_window', 'refusal_counter'],
    note: `let through ${Math.round(p2.recovered.sentMs - refusal2.sentMs)} ms after the second 429, ${whole ? 'and the request after it' : 'but not the request after it'}`,
  });
  if (!whole) return handOver('after the second boundary one request was let through and the next refused: a sliding log (or a counter of refusals) forgets its requests one at a time');
  // Each boundary lies after the last refused request was sent and before the first let through was answered.
  const b1 = boundary(a.p1, a.firstRefusal);
  const b2 = boundary(p2, refusal2);
  const lo = b2.lo - b1.hi;
  const hi = b2.hi - b1.lo;
  if (refusal2.recvMs - b1.lo > lo) return handOver(`the second burst lasted ${Math.round(refusal2.recvMs - b1.lo)} ms, as long as the window may be (${Math.round(lo)} ms): it may have straddled a boundary`);
  const hold1 = { lo: b1.lo - a.firstRefusal.recvMs, hi: b1.hi - a.firstRefusal.sentMs };
  const hold2 = { lo: b2.lo - refusal2.recvMs, hi: b2.hi - refusal2.sentMs };
  if (hold1.lo <= hold2.hi && hold2.lo <= hold1.hi) return handOver(`both 429s were followed by holds of the same length (${ms(hold1)} and ${ms(hold2)}): a lockout of that length explains them as well as a window`);
  const limit = Math.max(a.m, a.first);
  const window: WindowFromRounds = { limit, limitPm: limit - a.m, windowMs: (lo + hi) / 2, windowPmMs: (hi - lo) / 2 };
  return s.done(
    `fixed window settled by designed rounds, ${s.obs.length} requests: ${a.m} let through from one boundary to the next 429, boundaries ${ms({ lo, hi })} apart, holds after the 429s of ${ms(hold1)} and ${ms(hold2)} (not a lockout), the quota back whole at the second (not a sliding log)`,
    null,
    window,
  );
};
/**
 * The next boundary found by X-Ratelimit-Remaining's return, not by spending the new quota
 * (the minimum is the quota once): requests an eighth of a second apart through the second
 * either side of the claimed X-Ratelimit-Reset, each let through while the window lasts;
 * the first whose Remaining is back to the quota less one is past the boundary. No 429 came
 * before it, so it is no lockout; a sliding log gives back its requests one at a time as
 * they age, never the whole quota at once. Anything else is handed on.
 */
export const boundaryByHeaders = async (s: RoundsSession, a: { first: number; firstRefusal: Observation; p1: Recovery; m: number; limit: number }): Promise<RoundsResult> => {
  const handOver = (why: string) => {
    s.rest = 0;
    return s.done(`${why}; the continuous probing decides`);
  };
  let prev = s.obs[s.obs.length - 1]!;
  const zone = resetClaim(prev);
  let prevRem = remainingOf(prev);
  if (!zone || prevRem === null) return handOver('the answers stopped carrying X-Ratelimit-Remaining and -Reset');
  // The first burst lay inside one window, so a window lasts longer than from its first
  // success to the first boundary: nothing comes back before that much after the boundary.
  const b1lo = boundary(a.p1, a.firstRefusal).lo;
  const firstOk = s.obs.find(isAllowed)!;
  await s.sleep(Math.max(zone.fromMs, b1lo + (b1lo - firstOk.recvMs)) - nowMs());
  let back: Observation | null = null;
  while (!back) {
    if (s.stopped()) return handOver('the request budget or --duration ran out before the second boundary');
    if (nowMs() > zone.toMs) return handOver('X-Ratelimit-Remaining did not come back within a second of the X-Ratelimit-Reset claimed');
    const ob = await s.one();
    if (ob.status === null) return s.done('no answer while timing the second boundary');
    if (isThrottled(ob)) return handOver('a 429 before the boundary the headers claimed: the quota they claimed was not there');
    const rem = remainingOf(ob);
    if (rem === null) return handOver('an answer without X-Ratelimit-Remaining');
    if (rem > prevRem) back = ob;
    else {
      [prev, prevRem] = [ob, rem];
      await s.sleep(ob.sentMs + BOUNDARY_STEP_MS - nowMs());
    }
  }
  const rem = remainingOf(back)!;
  if (rem !== a.limit - 1) return handOver(`X-Ratelimit-Remaining came back to ${rem}, not the quota less one (${a.limit - 1}): a sliding log or counter gives back its requests as they age`);
  // Each boundary lies after the last request of the old window was sent and before the first of the new was answered.
  const b1 = boundary(a.p1, a.firstRefusal);
  const b2 = { lo: prev.sentMs, hi: back.recvMs };
  const lo = b2.lo - b1.hi;
  const hi = b2.hi - b1.lo;
  if (hi - lo > WINDOW_PM_SHARE * (lo + hi)) return handOver(`the boundaries are ${ms({ lo, hi })} apart: too loose to name a window`);
  s.record({ round: 'second boundary', sent: s.obs.length, survivors: ['fixed_window'], note: `X-Ratelimit-Remaining back to ${rem} ${ms({ lo, hi })} after the first boundary, with no 429 before it` });
  // The first burst counted the quota unless others had spent part of it: then the claim stands, the count bounds it.
  const counted = Math.max(a.first, a.m);
  const window: WindowFromRounds = { limit: a.limit, limitPm: Math.max(0, a.limit - counted), windowMs: (lo + hi) / 2, windowPmMs: (hi - lo) / 2 };
  return s.done(
    `fixed window settled by designed rounds, ${s.obs.length} requests: ${a.first} let through, then a 429, X-Ratelimit-Remaining counting down to 0 with them; the quota back whole at a boundary (${a.m} at once, more than a bucket could hold); the next boundary timed by X-Ratelimit-Remaining back to ${rem} with no 429 before it (not a lockout; a sliding log gives back one request at a time), ${ms({ lo, hi })} after the first`,
    null,
    window,
  );
};
