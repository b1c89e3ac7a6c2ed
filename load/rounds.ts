import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { BucketRegion } from './models/bucket-region.ts';
import { bucketTokensAtMost, burstOf, firstBurst, type HeaderClaim, headerClaim, quotaClaimedWhole, type RateInterval, rateOf, remainingOf, resetClaim } from './models/rounds.ts';
import type { LimiterModel } from '../api-model/rate-limit/models.ts';
import type { Estimate, ModelScore } from './estimate.ts';
import { isAllowed, isThrottled, nowMs, type Observation } from './observe.ts';
import { type PacedRequest, sendOne } from './pacer.ts';

/**
 * Capacity as rounds of designed experiments (issue 22). Each round's traffic is the one
 * that separates the models still standing, and every request is sent alone (concurrency
 * 1), so a refusal cannot be a concurrency limit's:
 *
 * 1. a sequential burst until the first 429: the quota (window) or burst (bucket) seen;
 *    a refusal of a lone request rules out a concurrency limit;
 * 2. pauses after it, each 2.5 times the last, from the first burst's pace: a bucket's
 *    next token comes within one token interval, a window's quota only at its boundary;
 * 3. a sequential burst on the first success: a bucket can hold no more than the pause
 *    refilled (its token had not come at the last refused probe), a window gives its whole
 *    quota back. When X-Ratelimit-Remaining counted down with the first burst and claims
 *    the quota back whole, this burst stops once it let through more than a bucket could
 *    hold, and the next boundary is Remaining's return (the quota is spent once); without
 *    such headers, the burst spends the new quota and the pauses after it find the boundary;
 * 4. for a bucket: silences short enough that it cannot fill, each ended by a drain until
 *    the next 429, until the rate is bounded from both sides;
 * 5. following the bucket (at the middle of its next token's possible arrival while the
 *    rate is loose, then a little faster than it refills) for `--longer-scale` seconds
 *    (default 6): a second, longer-scale limit with a smaller quota shows as a hold no
 *    bucket explains (then the continuous probing decides), and the rate tightens. This
 *    costs a request per token over that time; 0 trusts a single limit;
 * 6. the headers as a hypothesis: unless they failed the first burst's test, with one limit
 *    trusted the burst stands as a lower bound (others may have spent part of it); otherwise the bucket is let fill, its burst
 *    counted (which tests X-Ratelimit-Limit) and fired at past its 429 until its next token
 *    is due: a sliding-window counter holds until its window turns.
 *
 * Whatever the rounds cannot settle (no 429 to a sequential burst, a full quota back after
 * the pause: a window, sliding window or lockout; answers no bucket explains) is left to the
 * continuous probing, with the rounds' findings as its starting point.
 */
export interface RoundRecord {
  round: 'burst' | 'pauses' | 'burst after recovery' | 'second boundary' | 'drain' | 'follow' | 'fill';
  sent: number;
  /** Models still standing after it. */
  survivors: string[];
  note: string;
}

export interface BucketFromRounds {
  burst: number;
  burstPm: number;
  /** Counted on a bucket let fill (the headers did not hold up); else a lower bound. */
  burstMeasured: boolean;
  ratePerS: number;
  ratePmPerS: number;
}

export interface RoundsResult {
  observations: Observation[];
  sent: number;
  rounds: RoundRecord[];
  /** A bucket the rounds settled, or null: the continuous probing decides. */
  bucket: BucketFromRounds | null;
  reason: string;
  /** The first 429 advertised a long wait: waiting it out beats probing it. */
  longWait: boolean;
  /** The rounds end in an honest unknown (two limits they cannot give figures to), with why. */
  unknown: string | null;
  /** Models the rounds' answers ruled out, with why: the continuous probing must not name them. */
  /** `single`: ruled out only as the one limit there is (a second limit can break a bucket's lattice too). */
  ruledOut: { models: LimiterModel[]; why: string; single?: boolean } | null;
  /** A fixed window the rounds settled, or null. */
  window: WindowFromRounds | null;
  /**
   * The rounds found a bucket but could not tell it from a sliding-window counter: a bucket
   * the continuous probing names must pass the same test (let fill, fired at past its burst).
   */
  bucketUnconfirmed: boolean;
  /**
   * Silence the limiter needs before the continuous probing starts on it, ms: the rounds may
   * leave a bucket drained, and a first burst read off a drained bucket is no burst.
   */
  restMs: number;
}

export interface WindowFromRounds {
  limit: number;
  limitPm: number;
  windowMs: number;
  windowPmMs: number;
}

/** The pauses after a 429: the first request let through, and the last refused before it. */
interface Recovery {
  recovered: Observation | null;
  lastRefused: Observation | null;
}

export interface RoundsOptions {
  url: string;
  next: () => PacedRequest;
  timeoutMs: number;
  signal: AbortSignal;
  keepBody?: (status: number) => boolean;
  onObservation?: (o: Observation) => void;
  /** Requests the rounds may send at most. */
  cap: number;
  /** An advertised wait this long (s) on the first 429 ends the rounds: the window is waited out, not probed. */
  holdFromS: number;
  /** How long (ms from the start of the rounds) a bucket is followed to look for a second limit. */
  longerScaleMs: number;
  advertisedWaitS: (o: Observation) => number | null;
  deadlineMs: number;
}

/** Pauses grow by this factor: a bucket's first token is caught within 2.5 token intervals, in few probes. */
const PAUSE_GROWTH = 2.5;
/** The first burst's longest run, ms (a fifth of --duration when that is shorter). */
const FIRST_BURST_MS = 2000;
/** Pauses tried before the rounds leave the question to the continuous probing. */
const MAX_PAUSES = 40;
/** A drain's silence refills this share of the smallest burst the bucket may have: it cannot fill. */
const FILL_SHARE = 0.6;
/** Relative half-width of the rate the following aims for (the verdict floor is 5 %). */
const RATE_TARGET = 0.05;
/** Probes through a claimed reset this far apart, ms: the boundary to an eighth of a second, at most 16 requests. */
const BOUNDARY_STEP_MS = 125;
/** A window timed more loosely than this share of its length either side is handed on. */
const WINDOW_PM_SHARE = 0.15;


/** One request at a time over one keep-alive connection. */
const sender = (o: RoundsOptions) => {
  const https = o.url.startsWith('https:');
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(o.url);
  const one = (): Promise<Observation> =>
    new Promise((done) => {
      let settled = false;
      sendOne(o, agent, base, o.next(), (ob) => {
        if (settled) return;
        settled = true;
        o.onObservation?.(ob);
        done(ob);
      });
    });
  return { one, close: () => agent.destroy() };
};

export const runRounds = async (o: RoundsOptions): Promise<RoundsResult> => {
  const obs: Observation[] = [];
  const rounds: RoundRecord[] = [];
  const s = sender(o);
  // A cancelled run ends its silences too.
  const sleep = (ms: number) => sleepFor(Math.max(0, ms), undefined, { signal: o.signal }).catch(() => undefined);
  const startMs = nowMs();
  // Sequential sends: the answers come in send order, so the buckets they allow are kept as they arrive.
  const region = new BucketRegion();
  const stopped = () => o.signal.aborted || nowMs() >= o.deadlineMs || obs.length >= o.cap;
  const one = async () => {
    const ob = await s.one();
    obs.push(ob);
    region.add(ob);
    return ob;
  };
  /** Sequential requests until a 429 (or the bound, in requests and ms, or `enough` of them); the successes. */
  const burstUntil429 = async (max: number, maxMs: number | ((ok: number, fromMs: number) => number) = Number.POSITIVE_INFINITY, enough: (ok: number) => boolean = () => false) => {
    let ok = 0;
    const from = nowMs();
    const bound = typeof maxMs === 'number' ? () => maxMs : () => maxMs(ok, from);
    for (let i = 0; i < max && !stopped() && nowMs() - from < bound() && !enough(ok); i++) {
      const ob = await one();
      if (ob.status === null) return { ok, refused: false, broken: true };
      if (isThrottled(ob)) return { ok, refused: true, broken: false };
      ok++;
    }
    return { ok, refused: false, broken: false };
  };
  let longWait = false;
  let unknown: string | null = null;
  let ruledOut: RoundsResult['ruledOut'] = null;
  // Set where the rounds know the limiter is not left drained (a window just turned).
  let rest: number | null = null;
  let bucketUnconfirmed = false;
  let firstRecoveryMs = 0;
  /** Time for a bucket to refill what the first burst took, at the slowest rate the answers allow. */
  const refillMs = () => {
    if (!obs.some(isThrottled)) return 0;
    const i = region.interval();
    const tokenMs = i && Number.isFinite(i.hiMs) ? i.hiMs : firstRecoveryMs;
    return 1.5 * ((firstBurst(obs)?.successes ?? 0) + 1) * tokenMs;
  };
  const done = (reason: string, bucket: BucketFromRounds | null = null, window: WindowFromRounds | null = null): RoundsResult => {
    s.close();
    const handedOver = !bucket && !window && !unknown && !longWait;
    return { observations: obs, sent: obs.length, rounds, bucket, reason, longWait, unknown, ruledOut, window, bucketUnconfirmed, restMs: handedOver ? (rest ?? refillMs()) : 0 };
  };
  /**
   * Pauses after a 429, each 2.5 times the last from half the fastest round trip (or the
   * pace the caller knows a bucket cannot beat), until a
   * request is let through: a bucket's next token comes within one token interval, a
   * window's quota only at its boundary. The wait the 429 advertised is a hint: until twice
   * that wait is past, a pause grows by an eighth of it at most, so a window's boundary is
   * timed to an eighth of the wait (a bucket's token, early, is caught as before).
   */
  const untilRecovered = async (refusal: Observation, fastestRttMs: number, noBucket = false): Promise<Recovery | 'broken'> => {
    const from = (refusal.sentMs + refusal.recvMs) / 2;
    const hint = o.advertisedWaitS(refusal);
    const stepMs = hint !== null && hint > 0 ? Math.max(25, (hint * 1000) / 8) : Number.POSITIVE_INFINITY;
    let pause = Math.max(0.5, fastestRttMs / 2);
    // A wait advertised in whole seconds ends in its last second, probed an eighth of a
    // second apart: the seconds before are skipped when no bucket is left to catch early, or
    // when the wait is two seconds or more (a bucket's next token is then that far too). A
    // limiter that rounds down is caught at once, its boundary then known less well: the
    // bracket says so.
    const zone = hint !== null && (hint >= 2 || (noBucket && hint >= 1));
    if (zone) pause = Math.max(pause, (hint - 1) * 1000);
    let lastRefused: Observation | null = null;
    for (let k = 0; k < MAX_PAUSES && !stopped(); k++) {
      // Never past the run's end (a pause of a long window with no wait advertised).
      if (from + pause > o.deadlineMs) break;
      await sleep(from + pause - nowMs());
      const ob = await one();
      if (ob.status === null) return 'broken';
      if (isAllowed(ob)) return { recovered: ob, lastRefused };
      lastRefused = ob;
      const step = zone ? 125 : stepMs;
      pause = hint !== null && pause < 2 * hint * 1000 ? Math.min(pause * PAUSE_GROWTH, pause + step) : pause * PAUSE_GROWTH;
    }
    return { recovered: null, lastRefused };
  };
  /**
   * The quota came back whole after a pause: a fixed window, or a sliding log, a lockout or a
   * counter of refusals that can look like one. The burst just refused spent the new window;
   * the pauses after it find the next boundary, and one request more at once tells a window
   * (a new quota) from a sliding log (which forgets the lone request let through at the first
   * boundary, then nothing until the burst's requests age, after the silence before it).
   * A lockout holds for as long after every 429; two holds of different lengths rule it out.
   * What cannot be told apart is left to the continuous probing, on a window just turned.
   */
  const windowRound = async (a: { first: number; firstRefusal: Observation; p1: Recovery; m: number; bucketMax: number; fastestRttMs: number }): Promise<RoundsResult> => {
    // A bucket is ruled out only when more came back than it could have refilled; else (a
    // boundary right after the first burst) the rounds below test the window on their own.
    const noBucket = a.m > a.bucketMax;
    if (noBucket) ruledOut = { models: ['token_bucket', 'queue'], why: `after a pause the target let ${a.m} through at once, more than a bucket that had not refilled a token could hold (${a.bucketMax})` };
    const handOver = (why: string) => {
      // A window just turned is not drained; a bucket not ruled out may be.
      rest = noBucket ? 0 : null;
      return done(`${why}; the continuous probing decides`);
    };
    if (a.first > a.m + 1) return handOver(`the first burst let ${a.first} through, the burst after recovery ${a.m}: the first may have straddled a boundary`);
    const refusal2 = obs[obs.length - 1]!;
    const p2 = await untilRecovered(refusal2, a.fastestRttMs, noBucket);
    if (p2 === 'broken') return done('no answer to a probe after the second 429');
    if (!p2.recovered) return handOver('no request was let through after the second 429');
    if (stopped()) return handOver('the request budget or --duration ran out at the second boundary');
    const next = await one();
    if (next.status === null) return done('no answer after the second boundary');
    const whole = isAllowed(next);
    rounds.push({
      round: 'second boundary',
      sent: obs.length,
      survivors: whole ? ['fixed_window', 'lockout'] : ['sliding_window', 'refusal_counter'],
      note: `let through ${Math.round(p2.recovered.sentMs - refusal2.sentMs)} ms after the second 429, ${whole ? 'and the request after it' : 'but not the request after it'}`,
    });
    if (!whole) return handOver('after the second boundary one request was let through and the next refused: a sliding log (or a counter of refusals) forgets its requests one at a time');
    // Each boundary lies after the last refused request was sent and before the first let through was answered.
    const boundary = (p: Recovery, refusal: Observation) => ({ lo: (p.lastRefused ?? refusal).sentMs, hi: p.recovered!.recvMs });
    const b1 = boundary(a.p1, a.firstRefusal);
    const b2 = boundary(p2, refusal2);
    const lo = b2.lo - b1.hi;
    const hi = b2.hi - b1.lo;
    if (refusal2.recvMs - b1.lo > lo) return handOver(`the second burst lasted ${Math.round(refusal2.recvMs - b1.lo)} ms, as long as the window may be (${Math.round(lo)} ms): it may have straddled a boundary`);
    const hold1 = { lo: b1.lo - a.firstRefusal.recvMs, hi: b1.hi - a.firstRefusal.sentMs };
    const hold2 = { lo: b2.lo - refusal2.recvMs, hi: b2.hi - refusal2.sentMs };
    const ms = (x: { lo: number; hi: number }) => `${Math.round(x.lo)}-${Math.round(x.hi)} ms`;
    if (hold1.lo <= hold2.hi && hold2.lo <= hold1.hi) return handOver(`both 429s were followed by holds of the same length (${ms(hold1)} and ${ms(hold2)}): a lockout of that length explains them as well as a window`);
    const limit = Math.max(a.m, a.first);
    const window: WindowFromRounds = { limit, limitPm: limit - a.m, windowMs: (lo + hi) / 2, windowPmMs: (hi - lo) / 2 };
    return done(
      `fixed window settled by designed rounds, ${obs.length} requests: ${a.m} let through from one boundary to the next 429, boundaries ${ms({ lo, hi })} apart, holds after the 429s of ${ms(hold1)} and ${ms(hold2)} (not a lockout), the quota back whole at the second (not a sliding log)`,
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
  const boundaryByHeaders = async (a: { first: number; firstRefusal: Observation; p1: Recovery; m: number; limit: number }): Promise<RoundsResult> => {
    const handOver = (why: string) => {
      rest = 0;
      return done(`${why}; the continuous probing decides`);
    };
    let prev = obs[obs.length - 1]!;
    const zone = resetClaim(prev);
    let prevRem = remainingOf(prev);
    if (!zone || prevRem === null) return handOver('the answers stopped carrying X-Ratelimit-Remaining and -Reset');
    await sleep(zone.fromMs - nowMs());
    let back: Observation | null = null;
    while (!back) {
      if (stopped()) return handOver('the request budget or --duration ran out before the second boundary');
      if (nowMs() > zone.toMs) return handOver('X-Ratelimit-Remaining did not come back within a second of the X-Ratelimit-Reset claimed');
      const ob = await one();
      if (ob.status === null) return done('no answer while timing the second boundary');
      if (isThrottled(ob)) return handOver('a 429 before the boundary the headers claimed: the quota they claimed was not there');
      const rem = remainingOf(ob);
      if (rem === null) return handOver('an answer without X-Ratelimit-Remaining');
      if (rem > prevRem) back = ob;
      else {
        [prev, prevRem] = [ob, rem];
        await sleep(ob.sentMs + BOUNDARY_STEP_MS - nowMs());
      }
    }
    const rem = remainingOf(back)!;
    if (rem !== a.limit - 1) return handOver(`X-Ratelimit-Remaining came back to ${rem}, not the quota less one (${a.limit - 1}): a sliding log or counter gives back its requests as they age`);
    // Each boundary lies after the last request of the old window was sent and before the first of the new was answered.
    const b1 = { lo: (a.p1.lastRefused ?? a.firstRefusal).sentMs, hi: a.p1.recovered!.recvMs };
    const b2 = { lo: prev.sentMs, hi: back.recvMs };
    const lo = b2.lo - b1.hi;
    const hi = b2.hi - b1.lo;
    const ms = (x: { lo: number; hi: number }) => `${Math.round(x.lo)}-${Math.round(x.hi)} ms`;
    if (hi - lo > WINDOW_PM_SHARE * (lo + hi)) return handOver(`the boundaries are ${ms({ lo, hi })} apart: too loose to name a window`);
    rounds.push({ round: 'second boundary', sent: obs.length, survivors: ['fixed_window'], note: `X-Ratelimit-Remaining back to ${rem} ${ms({ lo, hi })} after the first boundary, with no 429 before it` });
    // The first burst counted the quota unless others had spent part of it: then the claim stands, the count bounds it.
    const counted = Math.max(a.first, a.m);
    const window: WindowFromRounds = { limit: a.limit, limitPm: Math.max(0, a.limit - counted), windowMs: (lo + hi) / 2, windowPmMs: (hi - lo) / 2 };
    return done(
      `fixed window settled by designed rounds, ${obs.length} requests: ${a.first} let through, then a 429, X-Ratelimit-Remaining counting down to 0 with them; the quota back whole at a boundary (${a.m} at once, more than a bucket could hold); the next boundary timed by X-Ratelimit-Remaining back to ${rem} with no 429 before it (not a lockout; a sliding log gives back one request at a time), ${ms({ lo, hi })} after the first`,
      null,
      window,
    );
  };
  /**
   * How long the first burst may run: two seconds (a fifth of the run when that is shorter),
   * or, while X-Ratelimit-Remaining counts down one per success, as long as it says the quota
   * lasts at the pace so far, half again, up to a third of the run (seen: express-rate-limit's
   * 30 behind 0-150 ms of API work took 2.4 s, and the rounds handed a plain window on).
   */
  const firstBurstMs = (ok: number, fromMs: number, runMs: number) => {
    const base = Math.min(FIRST_BURST_MS, 0.2 * runMs);
    const firstRem = obs.length > 0 ? remainingOf(obs[0]!) : null;
    const rem = ok > 0 ? remainingOf(obs[obs.length - 1]!) : null;
    if (firstRem === null || rem === null || firstRem - rem !== ok - 1) return base;
    const elapsed = nowMs() - fromMs;
    return Math.max(base, Math.min(runMs / 3, elapsed + 1.5 * (rem + 1) * (elapsed / ok)));
  };
  const bucketRuledOut = (why: string) => {
    ruledOut = { models: ['token_bucket', 'queue'], why: `no token bucket alone explains the rounds' answers (no rate and no phase of its tokens fit them)`, single: true };
    return done(why);
  };
  try {
    // 1. A sequential burst.
    // Bounded in time too: a concurrency limit or a queue never refuses a lone request, and
    // a large quota is reached sooner by the continuous probing.
    const runMs = o.deadlineMs - nowMs();
    const first = await burstUntil429(Math.min(o.cap, 2000), (ok, fromMs) => firstBurstMs(ok, fromMs, runMs));
    rounds.push({ round: 'burst', sent: obs.length, survivors: first.refused ? ['fixed_window', 'sliding_window', 'token_bucket', 'lockout', 'refusal_counter'] : ['concurrency', 'shaping', 'any limit above the burst'], note: `${first.ok} let through one at a time${first.refused ? ', then a 429: not a concurrency limit' : ', no 429'}` });
    if (!first.refused) return done(first.broken ? 'no answer to a lone request' : `a sequential burst of ${first.ok} was never refused`);
    const refusal = obs[obs.length - 1]!;
    // The advertised wait is a hypothesis that costs nothing to act on: a long one is waited out.
    const advertised = o.advertisedWaitS(refusal);
    if (advertised !== null && advertised >= o.holdFromS) {
      longWait = true;
      return done(`the first 429 advertised ${advertised} s: waited out, not probed`);
    }
    const t429 = (refusal.sentMs + refusal.recvMs) / 2;
    const rtts = obs.map((x) => x.recvMs - x.sentMs).sort((a, b) => a - b);
    // 2. Pauses after the 429 until a request is let through.
    // Not shorter than the first burst's pace: a bucket that refused it refills more slowly
    // (it held a token at the first success and less than one at the 429, n successes later).
    const firstOk = obs.find(isAllowed);
    const paceMs = firstOk && first.ok > 0 ? Math.max(0, refusal.sentMs - firstOk.recvMs) / first.ok : 0;
    const p1 = await untilRecovered(refusal, Math.max(rtts[0]!, 2 * paceMs));
    if (p1 === 'broken') return done('no answer to a probe after a pause');
    const lastRefusedMs = p1.lastRefused ? (p1.lastRefused.sentMs + p1.lastRefused.recvMs) / 2 - t429 : 0;
    const recovered = p1.recovered;
    if (recovered) firstRecoveryMs = recovered.recvMs - t429;
    rounds.push({ round: 'pauses', sent: obs.length, survivors: rounds[0]!.survivors, note: recovered ? `first success ${Math.round(recovered.sentMs - t429)} ms after the 429, none at ${Math.round(lastRefusedMs)} ms` : 'no success after the pauses' });
    if (!recovered) return done('no request was let through during the pauses after the first 429');
    // 3. A sequential burst after a short silence (a quarter of the pause, and well above a
    // round trip: too short for a bucket to fill, long enough that a sliding log's entries
    // from now on age apart from the one just let through).
    const median = rtts[Math.floor(rtts.length / 2)]!;
    await sleep(Math.max(5 * median + 5, 0.25 * (recovered.sentMs - t429)));
    // The headers as a hypothesis, tested on the first burst (X-Ratelimit-Remaining counted
    // down with it to 0 at its 429): when the first success claims the quota back whole, the
    // burst after recovery stops once it let through more than a bucket could hold, and the
    // next boundary is found by Remaining's return rather than by spending the new quota.
    const claimed = headerClaim(obs) === 'consistent' && resetClaim(recovered) ? quotaClaimedWhole(recovered, first.ok) : null;
    const beyondBucket = (ok: number) => ok >= 2 && 1 + ok > bucketTokensAtMost(lastRefusedMs, nowMs() - t429) + 1;
    const again = await burstUntil429(first.ok + 10, Number.POSITIVE_INFINITY, claimed === null ? undefined : beyondBucket);
    const m = 1 + again.ok;
    const elapsed = (obs[obs.length - 1]!.recvMs ?? nowMs()) - t429;
    const bucketMax = bucketTokensAtMost(lastRefusedMs, elapsed) + 1;
    const windowLike = m > bucketMax;
    const stoppedEarly = claimed !== null && !again.refused && windowLike;
    rounds.push({
      round: 'burst after recovery',
      sent: obs.length,
      survivors: windowLike ? ['fixed_window', 'sliding_window', 'lockout', 'refusal_counter'] : ['token_bucket'],
      note: `${m} let through after the pause${stoppedEarly ? ` (stopped there: X-Ratelimit-Remaining claims ${claimed} back)` : ''}; a bucket could have held at most ${bucketMax}`,
    });
    if (!again.refused && !stoppedEarly) return done(`the burst after recovery was not refused after ${m}`);
    // A bucket (or a queue, which decides like one) cannot give back more than the pause refilled.
    if (windowLike) ruledOut = { models: ['token_bucket', 'queue'], why: `after a pause the target let ${m} through at once, more than a bucket that had not refilled a token ${Math.round(lastRefusedMs)} ms after its 429 could hold (${bucketMax})` };
    if (stoppedEarly) return boundaryByHeaders({ first: first.ok, firstRefusal: refusal, p1: p1 as Recovery, m, limit: claimed });
    // The whole first burst back at once after the pause: a window, unless the pause was so
    // short that a fast bucket could have refilled it too (seen: express-rate-limit's window
    // turned 20-48 ms after the first burst; the bucket rounds then ran out the --duration).
    const wholeBack = first.ok >= 5 && m >= first.ok - 1;
    if (windowLike || wholeBack) return windowRound({ first: first.ok, firstRefusal: refusal, p1: p1 as Recovery, m, bucketMax, fastestRttMs: rtts[0]! });
    const smallest = firstBurst(obs)!.successes;
    if (smallest < 2) return done('a burst of one: a bucket of one token and a window of one admit alike');
    /**
     * 5. Silent until the bucket is surely full, then a drain: its burst, counted. True only when
     * a request past the drain's 429 was let through when the bucket's next token was due: the
     * answer that tells a bucket from a sliding-window counter.
     */
    const fillAndCount = async (i: RateInterval, b: { burst: number; burstPm: number }, bucket: BucketFromRounds, claim: HeaderClaim): Promise<boolean> => {
      // Long enough for the largest burst the headers or the count suggest, at the slowest rate.
      const claimed = Number(obs.find((x) => x.headers?.['x-ratelimit-limit'])?.headers?.['x-ratelimit-limit']);
      const waitMs = 1.5 * Math.max(b.burst + b.burstPm + 1, claim === 'inconsistent' && Number.isFinite(claimed) ? claimed : 0) * i.hiMs;
      if (nowMs() + waitMs + 500 > o.deadlineMs || obs.length + 2 * (b.burst + b.burstPm) + 10 > o.cap) return false;
      await sleep(waitMs);
      const from = obs.length;
      const d = await burstUntil429(Math.ceil(waitMs / i.loMs) + 2);
      const counted = obs.slice(from).filter(isAllowed);
      rounds.push({ round: 'fill', sent: obs.length, survivors: ['token_bucket'], note: `${d.ok} let through after ${Math.round(waitMs)} ms of silence` });
      // Fewer than the slowest rate refilled over the wait: the bucket was full and overflowed.
      if (!d.refused || counted.length === 0 || d.ok >= waitMs / i.hiMs) return false;
      const spanMs = obs[obs.length - 1]!.recvMs - counted[0]!.sentMs;
      const refilledMax = spanMs / i.loMs;
      const refilledMin = spanMs / i.hiMs;
      bucket.burst = Math.max(1, Math.round(d.ok - (refilledMax + refilledMin) / 2));
      bucket.burstPm = Math.round(((refilledMax - refilledMin) / 2 + 0.5) * 100) / 100;
      bucket.burstMeasured = true;
      // Past the burst's 429 until the bucket's next token is surely due: a sliding-window
      // counter, its whole limit spent at once, holds until its window turns instead.
      const refusedAt = obs[obs.length - 1]!.sentMs;
      const dueMs = 2.5 * i.hiMs + 100;
      while (!stopped() && nowMs() - refusedAt <= dueMs) {
        await sleep(obs[obs.length - 1]!.sentMs + i.loMs / 1.1 - nowMs());
        const ob = await one();
        if (ob.status === null) return false;
        if (isAllowed(ob)) return true;
      }
      if (!stopped())
        unknown = `a token bucket (${bucket.burst}, ${rateOf(i).ratePerS.toFixed(2)}/s) would have let a request through within ${Math.round(i.hiMs)} ms of its burst, but the target refused for ${Math.round(nowMs() - refusedAt)} ms: not a bucket; a sliding-window counter or a second limit may hold its clients like this`;
      return false;
    };
    // 4. Drains until the lattice bounds the rate from both sides (a drain that counts two
    // tokens or more does), each silence too short for the bucket to fill.
    let i = region.interval();
    while (i && !Number.isFinite(i.hiMs)) {
      const b = burstOf(obs, i)!;
      const fill = Math.max(2, Math.floor(FILL_SHARE * Math.max(1, b.burst - b.burstPm)));
      // `fill` tokens at the fastest rate still possible; a drain that found none raised that
      // bound to its silence, so the next doubles (a bucket of two or more cannot fill in it).
      const silenceMs = fill * i.loMs;
      if (stopped() || nowMs() + silenceMs + 200 > o.deadlineMs) return done('no time left to bound the rate');
      await sleep(silenceMs);
      const d = await burstUntil429(2 * fill + 10);
      rounds.push({ round: 'drain', sent: obs.length, survivors: ['token_bucket', 'two limits'], note: `${d.ok} tokens after ${Math.round(silenceMs)} ms of silence` });
      if (!d.refused) return done(`a drain was not refused after ${d.ok}: the bucket is larger than it looked`);
      i = region.interval();
    }
    if (!i) return bucketRuledOut('no token bucket explains the answers to the rounds');
    // 5. Following the bucket, a little faster than the fastest rate still possible, for the
    // longer scale: a second limit with a smaller quota over it binds (a hold no bucket
    // explains), and every refusal tightens the rate.
    let lastOk = nowMs();
    const b0 = burstOf(obs, i)!;
    // Past the longer scale, on only while the rate is loose and the spend under twice the minimum.
    const rateLoose = () => !!i && rateOf(i).ratePmPerS > RATE_TARGET * rateOf(i).ratePerS;
    const loose = () => rateLoose() && obs.length < 2 * (b0.burst + 3);
    // Within --duration, leaving time to let the bucket fill and count it; the note says how
    // long was really followed.
    const reserveMs = 1.5 * (b0.burst + b0.burstPm + 1) * (Number.isFinite(i.hiMs) ? i.hiMs : 0) + 2.5 * i.hiMs + 1000;
    const followUntil = Math.min(startMs + o.longerScaleMs, o.deadlineMs - reserveMs);
    while (nowMs() < followUntil || (loose() && nowMs() < o.deadlineMs - reserveMs)) {
      if (stopped()) break;
      const cur = region.interval();
      if (!cur) return bucketRuledOut('no token bucket explains the answers while following it');
      i = cur;
      const last = obs[obs.length - 1]!;
      // While the rate is loose, at the middle of the next token's possible arrival (a refusal
      // or a success there halves it); once tight, a little faster than the fastest rate still
      // possible (a success per token, and a refusal now and then that keeps tightening it).
      const next = region.nextArrival();
      const aim = next && Number.isFinite(next.toMs) && rateLoose() ? (next.fromMs + next.toMs) / 2 - rtts[0]! / 2 : last.sentMs + cur.loMs / 1.1;
      await sleep(Math.max(aim, last.recvMs) - nowMs());
      const ob = await one();
      if (ob.status === null) return done('no answer while following the bucket');
      if (isAllowed(ob)) lastOk = ob.recvMs;
      else if (ob.sentMs - lastOk > Math.max(1000, 4 * cur.hiMs)) {
        rounds.push({ round: 'follow', sent: obs.length, survivors: ['two limits'], note: `refused for ${Math.round(ob.sentMs - lastOk)} ms, far beyond a token interval` });
        const r = rateOf(cur);
        const b = burstOf(obs, cur)!;
        // The rounds do not give the second limit its figures; the continuous probing fits
        // two limits (it named the zoo's two tiers where the rounds could only say unknown).
        return done(
          `two limits: a token bucket (burst at least ${b.burst}, ${r.ratePerS.toFixed(2)} ± ${r.ratePmPerS.toFixed(2)}/s) and a second limit that held the client ${((ob.sentMs - lastOk) / 1000).toFixed(1)} s after ${obs.filter(isAllowed).length} successes in ${((lastOk - startMs) / 1000).toFixed(1)} s; the continuous probing gives them figures`,
        );
      }
    }
    const followedMs = nowMs() - startMs;
    if (o.longerScaleMs > 0) rounds.push({ round: 'follow', sent: obs.length, survivors: ['token_bucket'], note: `followed until ${(followedMs / 1000).toFixed(1)} s into the rounds (${o.longerScaleMs / 1000} s asked), no hold beyond a token interval` });
    const r = rateOf(i);
    const b = burstOf(obs, i)!;
    const bucket: BucketFromRounds = { burst: b.burst, burstPm: b.burstPm, burstMeasured: false, ratePerS: r.ratePerS, ratePmPerS: r.ratePmPerS };
    // The headers as a hypothesis: if they hold up, the first burst's count stands (a lower
    // bound); if not, the burst is counted on a bucket let fill, which tests their claim.
    // Unless one limit is trusted (--longer-scale 0), the fill round runs anyway: what follows
    // its 429 tells a bucket from a sliding-window counter.
    const claim = headerClaim(obs);
    // Headers absent, the first burst's count is a lower bound as much as under headers that hold up.
    const confirmed = (claim === 'inconsistent' || o.longerScaleMs > 0) && !o.signal.aborted ? await fillAndCount(i, b, bucket, claim) : false;
    if (unknown) return done(unknown);
    // Unless one limit is trusted, a bucket is named only when the answer that tells it from a
    // sliding-window counter came: a follow cut short, or a fill round that could not run or
    // count, leaves the question to the continuous probing (seen: a sliding counter named a
    // bucket after a 1.9 s follow of the 6 s asked on a busy machine).
    if (o.longerScaleMs > 0 && (!confirmed || followedMs < o.longerScaleMs)) {
      bucketUnconfirmed = true;
      return done(
        `the rounds could not tell a token bucket from a sliding-window counter (${confirmed ? `followed ${(followedMs / 1000).toFixed(1)} s of the ${o.longerScaleMs / 1000} s asked` : 'no request past the counted burst was let through when a token was due'}): ${rounds.map((x) => `${x.round} (${x.note})`).join('; ')}`,
      );
    }
    const trusted = o.longerScaleMs > 0 ? '' : '; one limit trusted (--longer-scale 0): no second, longer-scale limit was looked for';
    return done(`rounds: ${rounds.map((x) => `${x.round} (${x.note})`).join('; ')}${trusted}`, bucket);
  } finally {
    s.close();
  }
};

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
