import { bucketTokensAtMost, headerClaim, quotaClaimedWhole, remainingOf, resetClaim } from '../models/rounds.ts';
import { isAllowed, nowMs } from '../observe.ts';
import { bucketRounds } from './bucket.ts';
import { RoundsSession } from './session.ts';
import type { Recovery, RoundsOptions, RoundsResult } from './types.ts';
import { boundaryByHeaders, windowRound } from './window.ts';

export { roundsEstimate } from './estimate.ts';
export type { BucketFromRounds, RoundRecord, RoundsOptions, RoundsResult, WindowFromRounds } from './types.ts';

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

/**
 * The smallest first burst whose coming back whole at once is taken for a window even when
 * the pause was short: fewer come back from a bucket's refill in a short pause as readily.
 */
const WHOLE_BACK_FROM = 5;
/** The first burst's longest run, ms (a fifth of --duration when that is shorter). */
const FIRST_BURST_MS = 2000;

/**
 * How long the first burst may run: two seconds (a fifth of the run when that is shorter),
 * or, while X-Ratelimit-Remaining counts down one per success, as long as it says the quota
 * lasts at the pace so far, half again, up to a third of the run (seen: express-rate-limit's
 * 30 behind 0-150 ms of API work took 2.4 s, and the rounds handed a plain window on).
 */
const firstBurstMs = (s: RoundsSession, ok: number, fromMs: number, runMs: number) => {
  const base = Math.min(FIRST_BURST_MS, 0.2 * runMs);
  const firstRem = s.obs.length > 0 ? remainingOf(s.obs[0]!) : null;
  const rem = ok > 0 ? remainingOf(s.obs[s.obs.length - 1]!) : null;
  if (firstRem === null || rem === null || firstRem - rem !== ok - 1) return base;
  const elapsed = nowMs() - fromMs;
  return Math.max(base, Math.min(runMs / 3, elapsed + 1.5 * (rem + 1) * (elapsed / ok)));
};

/** The rounds from the first burst to the round that tells the models apart (./window.ts, ./bucket.ts). */
export const runRounds = async (o: RoundsOptions): Promise<RoundsResult> => {
  const s = new RoundsSession(o);
  try {
    // 1. A sequential burst.
    // Bounded in time too: a concurrency limit or a queue never refuses a lone request, and
    // a large quota is reached sooner by the continuous probing.
    const runMs = s.o.deadlineMs - nowMs();
    const first = await s.burstUntil429(Math.min(s.o.cap, 2000), (ok, fromMs) => firstBurstMs(s, ok, fromMs, runMs));
    s.record({ round: 'burst', sent: s.obs.length, survivors: first.refused ? ['fixed_window', 'sliding_window', 'token_bucket', 'lockout', 'refusal_counter'] : ['concurrency', 'shaping', 'any limit above the burst'], note: `${first.ok} let through one at a time${first.refused ? ', then a 429: not a concurrency limit' : ', no 429'}` });
    if (!first.refused) return s.done(first.broken ? 'no answer to a lone request' : `a sequential burst of ${first.ok} was never refused`);
    const refusal = s.obs[s.obs.length - 1]!;
    // The advertised wait is a hypothesis that costs nothing to act on: a long one is waited out.
    const advertised = s.o.advertisedWaitS(refusal);
    if (advertised !== null && advertised >= s.o.holdFromS) {
      s.longWait = true;
      return s.done(`the first 429 advertised ${advertised} s: waited out, not probed`);
    }
    const t429 = (refusal.sentMs + refusal.recvMs) / 2;
    const rtts = s.obs.map((x) => x.recvMs - x.sentMs).sort((a, b) => a - b);
    // 2. Pauses after the 429 until a request is let through.
    // Not shorter than the first burst's pace: a bucket that refused it refills more slowly
    // (it held a token at the first success and less than one at the 429, n successes later).
    const firstOk = s.obs.find(isAllowed);
    const paceMs = firstOk && first.ok > 0 ? Math.max(0, refusal.sentMs - firstOk.recvMs) / first.ok : 0;
    const p1 = await s.untilRecovered(refusal, Math.max(rtts[0]!, 2 * paceMs));
    if (p1 === 'broken') return s.done('no answer to a probe after a pause');
    const lastRefusedMs = p1.lastRefused ? (p1.lastRefused.sentMs + p1.lastRefused.recvMs) / 2 - t429 : 0;
    // A bucket's next token was later than the last refused probe, and its tokens come at
    // most twice as fast as the first burst's mean pace (a bucket refilling faster would not
    // have run dry under it, varying work and all).
    const tokenAfterMs = Math.max(lastRefusedMs, paceMs / 2);
    const recovered = p1.recovered;
    if (recovered) s.firstRecoveryMs = recovered.recvMs - t429;
    s.record({ round: 'pauses', sent: s.obs.length, survivors: s.rounds[0]!.survivors, note: recovered ? `first success ${Math.round(recovered.sentMs - t429)} ms after the 429, none at ${Math.round(lastRefusedMs)} ms` : 'no success after the pauses' });
    if (!recovered) return s.done('no request was let through during the pauses after the first 429');
    const median = rtts[Math.floor(rtts.length / 2)]!;
    const claimed = headerClaim(s.obs) === 'consistent' && resetClaim(recovered) ? quotaClaimedWhole(recovered, first.ok) : null;
    // Requests one at a time come about as fast as such a bucket refills: only a volley
    // outruns it (seen: express-rate-limit behind 0-150 ms of work, its window turning right
    // after the first burst's 429).
    const p90 = rtts[Math.floor(0.9 * (rtts.length - 1))]!;
    const volleySize = bucketTokensAtMost(tokenAfterMs, nowMs() - t429 + 2 * p90) + 2;
    if (claimed !== null && tokenAfterMs < 2 * median && volleySize <= claimed - 2) {
      const v = await s.volley(volleySize);
      const mv = 1 + v.filter(isAllowed).length;
      const atMost = bucketTokensAtMost(tokenAfterMs, Math.max(...v.map((x) => x.recvMs)) - t429) + 1;
      const beyond = mv > atMost && v.every(isAllowed);
      s.record({ round: 'burst after recovery', sent: s.obs.length, survivors: beyond ? ['fixed_window', 'sliding_window', 'refusal_counter'] : ['token_bucket', 'concurrency', 'fixed_window'], note: `${mv} let through after the pause, ${v.length} of them at once; a bucket could have held at most ${atMost}` });
      if (!beyond) {
        s.rest = null;
        return s.done(`a volley of ${v.length} after the pause ${v.every(isAllowed) ? 'could have been a bucket\'s' : 'was partly refused'}; the continuous probing decides`);
      }
      s.ruledOut = { models: ['token_bucket', 'queue'], why: `after a pause the target let ${v.length} through at once, more than a bucket refilling at most twice as fast as the first burst's pace could hold (${atMost})` };
      return await boundaryByHeaders(s, { first: first.ok, firstRefusal: refusal, p1: p1 as Recovery, m: mv, limit: claimed });
    }
    // 3. A sequential burst after a short silence (a quarter of the pause, and well above a
    // round trip: too short for a bucket to fill, long enough that a sliding log's entries
    // from now on age apart from the one just let through).
    await s.sleep(Math.max(5 * median + 5, 0.25 * (recovered.sentMs - t429)));
    // The headers as a hypothesis, tested on the first burst (X-Ratelimit-Remaining counted
    // down with it to 0 at its 429): when the first success claims the quota back whole, the
    // burst after recovery stops once it let through more than a bucket could hold, and the
    // next boundary is found by Remaining's return rather than by spending the new quota.
    const beyondBucket = (ok: number) => ok >= 2 && 1 + ok > bucketTokensAtMost(tokenAfterMs, nowMs() - t429) + 1;
    const again = await s.burstUntil429(first.ok + 10, Number.POSITIVE_INFINITY, claimed === null ? undefined : beyondBucket);
    const m = 1 + again.ok;
    const elapsed = (s.obs[s.obs.length - 1]!.recvMs ?? nowMs()) - t429;
    const bucketMax = bucketTokensAtMost(tokenAfterMs, elapsed) + 1;
    const windowLike = m > bucketMax;
    const stoppedEarly = claimed !== null && !again.refused && windowLike;
    s.record({
      round: 'burst after recovery',
      sent: s.obs.length,
      survivors: windowLike ? ['fixed_window', 'sliding_window', 'lockout', 'refusal_counter'] : ['token_bucket'],
      note: `${m} let through after the pause${stoppedEarly ? ` (stopped there: X-Ratelimit-Remaining claims ${claimed} back)` : ''}; a bucket could have held at most ${bucketMax}`,
    });
    if (!again.refused && !stoppedEarly) return s.done(`the burst after recovery was not refused after ${m}`);
    // A bucket (or a queue, which decides like one) cannot give back more than the pause refilled.
    if (windowLike) s.ruledOut = { models: ['token_bucket', 'queue'], why: `after a pause the target let ${m} through at once, more than a bucket that had not refilled a token ${Math.round(lastRefusedMs)} ms after its 429 could hold (${bucketMax})` };
    if (stoppedEarly) return await boundaryByHeaders(s, { first: first.ok, firstRefusal: refusal, p1: p1 as Recovery, m, limit: claimed });
    // The whole first burst back at once after the pause: a window, unless the pause was so
    // short that a fast bucket could have refilled it too (seen: express-rate-limit's window
    // turned 20-48 ms after the first burst; the bucket rounds then ran out the --duration).
    const wholeBack = first.ok >= WHOLE_BACK_FROM && m >= first.ok - 1;
    if (windowLike || wholeBack) return await windowRound(s, { first: first.ok, firstRefusal: refusal, p1: p1 as Recovery, m, bucketMax, fastestRttMs: rtts[0]! });
    return await bucketRounds(s, rtts[0]!);
  } finally {
    s.close();
  }
};
