import { burstOf, firstBurst, type HeaderClaim, headerClaim, type RateInterval, rateOf } from '../models/rounds.ts';
import { isAllowed, nowMs } from '../observe.ts';
import type { RoundsSession } from './session.ts';
import type { BucketFromRounds, RoundsResult } from './types.ts';

/** A drain's silence refills this share of the smallest burst the bucket may have: it cannot fill. */
const FILL_SHARE = 0.6;
/** Relative half-width of the rate the following aims for (the verdict floor is 5 %). */
const RATE_TARGET = 0.05;

/**
 * The rounds of a bucket (steps 4 to 6 in ./index.ts): drains until its rate is bounded from
 * both sides, following it for the longer scale, and letting it fill to count its burst.
 */
export const bucketRounds = async (s: RoundsSession, fastestRttMs: number): Promise<RoundsResult> => {
  const bucketRuledOut = (why: string) => {
    s.ruledOut = { models: ['token_bucket', 'queue'], why: `no token bucket alone explains the rounds' answers (no rate and no phase of its tokens fit them)`, single: true };
    return s.done(why);
  };
  const smallest = firstBurst(s.obs)!.successes;
  if (smallest < 2) return s.done('a burst of one: a bucket of one token and a window of one admit alike');
  /**
   * 5. Silent until the bucket is surely full, then a drain: its burst, counted. True only when
   * a request past the drain's 429 was let through when the bucket's next token was due: the
   * answer that tells a bucket from a sliding-window counter.
   */
  const fillAndCount = async (i: RateInterval, b: { burst: number; burstPm: number }, bucket: BucketFromRounds, claim: HeaderClaim): Promise<boolean> => {
    // Long enough for the largest burst the headers or the count suggest, at the slowest rate.
    const claimed = Number(s.obs.find((x) => x.headers?.['x-ratelimit-limit'])?.headers?.['x-ratelimit-limit']);
    const waitMs = 1.5 * Math.max(b.burst + b.burstPm + 1, claim === 'inconsistent' && Number.isFinite(claimed) ? claimed : 0) * i.hiMs;
    if (nowMs() + waitMs + 500 > s.o.deadlineMs || s.obs.length + 2 * (b.burst + b.burstPm) + 10 > s.o.cap) return false;
    await s.sleep(waitMs);
    const from = s.obs.length;
    const d = await s.burstUntil429(Math.ceil(waitMs / i.loMs) + 2);
    const counted = s.obs.slice(from).filter(isAllowed);
    s.record({ round: 'fill', sent: s.obs.length, survivors: ['token_bucket'], note: `${d.ok} let through after ${Math.round(waitMs)} ms of silence` });
    // Fewer than the slowest rate refilled over the wait: the bucket was full and overflowed.
    if (!d.refused || counted.length === 0 || d.ok >= waitMs / i.hiMs) return false;
    const spanMs = s.obs[s.obs.length - 1]!.recvMs - counted[0]!.sentMs;
    const refilledMax = spanMs / i.loMs;
    const refilledMin = spanMs / i.hiMs;
    bucket.burst = Math.max(1, Math.round(d.ok - (refilledMax + refilledMin) / 2));
    bucket.burstPm = Math.round(((refilledMax - refilledMin) / 2 + 0.5) * 100) / 100;
    bucket.burstMeasured = true;
    // Past the burst's 429 until the bucket's next token is surely due: a sliding-window
    // counter, its whole limit spent at once, holds until its window turns instead.
    const refusedAt = s.obs[s.obs.length - 1]!.sentMs;
    const dueMs = 2.5 * i.hiMs + 100;
    while (!s.stopped() && nowMs() - refusedAt <= dueMs) {
      await s.sleep(s.obs[s.obs.length - 1]!.sentMs + i.loMs / 1.1 - nowMs());
      const ob = await s.one();
      if (ob.status === null) return false;
      if (isAllowed(ob)) return true;
    }
    if (!s.stopped())
      s.unknown = `a token bucket (${bucket.burst}, ${rateOf(i).ratePerS.toFixed(2)}/s) would have let a request through within ${Math.round(i.hiMs)} ms of its burst, but the target refused for ${Math.round(nowMs() - refusedAt)} ms: not a bucket; a sliding-window counter or a second limit may hold its clients like this`;
    return false;
  };
  // 4. Drains until the lattice bounds the rate from both sides (a drain that counts two
  // tokens or more does), each silence too short for the bucket to fill.
  let i = s.region.interval();
  while (i && !Number.isFinite(i.hiMs)) {
    const b = burstOf(s.obs, i)!;
    const fill = Math.max(2, Math.floor(FILL_SHARE * Math.max(1, b.burst - b.burstPm)));
    // `fill` tokens at the fastest rate still possible; a drain that found none raised that
    // bound to its silence, so the next doubles (a bucket of two or more cannot fill in it).
    const silenceMs = fill * i.loMs;
    if (s.stopped() || nowMs() + silenceMs + 200 > s.o.deadlineMs) return s.done('no time left to bound the rate');
    await s.sleep(silenceMs);
    const d = await s.burstUntil429(2 * fill + 10);
    s.record({ round: 'drain', sent: s.obs.length, survivors: ['token_bucket', 'two limits'], note: `${d.ok} tokens after ${Math.round(silenceMs)} ms of silence` });
    if (!d.refused) return s.done(`a drain was not refused after ${d.ok}: the bucket is larger than it looked`);
    i = s.region.interval();
  }
  if (!i) return bucketRuledOut('no token bucket explains the answers to the rounds');
  // 5. Following the bucket, a little faster than the fastest rate still possible, for the
  // longer scale: a second limit with a smaller quota over it binds (a hold no bucket
  // explains), and every refusal tightens the rate.
  let lastOk = nowMs();
  const b0 = burstOf(s.obs, i)!;
  // Past the longer scale, on only while the rate is loose and the spend under twice the minimum.
  const rateLoose = () => !!i && rateOf(i).ratePmPerS > RATE_TARGET * rateOf(i).ratePerS;
  const loose = () => rateLoose() && s.obs.length < 2 * (b0.burst + 3);
  // Within --duration, leaving time to let the bucket fill and count it; the note says how
  // long was really followed.
  const reserveMs = 1.5 * (b0.burst + b0.burstPm + 1) * (Number.isFinite(i.hiMs) ? i.hiMs : 0) + 2.5 * i.hiMs + 1000;
  const followUntil = Math.min(s.startMs + s.o.longerScaleMs, s.o.deadlineMs - reserveMs);
  while (nowMs() < followUntil || (loose() && nowMs() < s.o.deadlineMs - reserveMs)) {
    if (s.stopped()) break;
    const cur = s.region.interval();
    if (!cur) return bucketRuledOut('no token bucket explains the answers while following it');
    i = cur;
    const last = s.obs[s.obs.length - 1]!;
    // While the rate is loose, at the middle of the next token's possible arrival (a refusal
    // or a success there halves it); once tight, a little faster than the fastest rate still
    // possible (a success per token, and a refusal now and then that keeps tightening it).
    const next = s.region.nextArrival();
    const aim = next && Number.isFinite(next.toMs) && rateLoose() ? (next.fromMs + next.toMs) / 2 - fastestRttMs / 2 : last.sentMs + cur.loMs / 1.1;
    await s.sleep(Math.max(aim, last.recvMs) - nowMs());
    const ob = await s.one();
    if (ob.status === null) return s.done('no answer while following the bucket');
    if (isAllowed(ob)) lastOk = ob.recvMs;
    else if (ob.sentMs - lastOk > Math.max(1000, 4 * cur.hiMs)) {
      s.record({ round: 'follow', sent: s.obs.length, survivors: ['two limits'], note: `refused for ${Math.round(ob.sentMs - lastOk)} ms, far beyond a token interval` });
      const r = rateOf(cur);
      const b = burstOf(s.obs, cur)!;
      // The rounds do not give the second limit its figures; the continuous probing fits
      // two limits (it named the zoo's two tiers where the rounds could only say unknown).
      return s.done(
        `two limits: a token bucket (burst at least ${b.burst}, ${r.ratePerS.toFixed(2)} ± ${r.ratePmPerS.toFixed(2)}/s) and a second limit that held the client ${((ob.sentMs - lastOk) / 1000).toFixed(1)} s after ${s.obs.filter(isAllowed).length} successes in ${((lastOk - s.startMs) / 1000).toFixed(1)} s; the continuous probing gives them figures`,
      );
    }
  }
  const followedMs = nowMs() - s.startMs;
  if (s.o.longerScaleMs > 0) s.record({ round: 'follow', sent: s.obs.length, survivors: ['token_bucket'], note: `followed until ${(followedMs / 1000).toFixed(1)} s into the rounds (${s.o.longerScaleMs / 1000} s asked), no hold beyond a token interval` });
  const r = rateOf(i);
  const b = burstOf(s.obs, i)!;
  const bucket: BucketFromRounds = { burst: b.burst, burstPm: b.burstPm, burstMeasured: false, ratePerS: r.ratePerS, ratePmPerS: r.ratePmPerS };
  // The headers as a hypothesis: if they hold up, the first burst's count stands (a lower
  // bound); if not, the burst is counted on a bucket let fill, which tests their claim.
  // Unless one limit is trusted (--longer-scale 0), the fill round runs anyway: what follows
  // its 429 tells a bucket from a sliding-window counter.
  const claim = headerClaim(s.obs);
  // Headers absent, the first burst's count is a lower bound as much as under headers that hold up.
  const confirmed = (claim === 'inconsistent' || s.o.longerScaleMs > 0) && !s.o.signal.aborted ? await fillAndCount(i, b, bucket, claim) : false;
  if (s.unknown) return s.done(s.unknown);
  // Unless one limit is trusted, a bucket is named only when the answer that tells it from a
  // sliding-window counter came: a follow cut short, or a fill round that could not run or
  // count, leaves the question to the continuous probing (seen: a sliding counter named a
  // bucket after a 1.9 s follow of the 6 s asked on a busy machine).
  if (s.o.longerScaleMs > 0 && (!confirmed || followedMs < s.o.longerScaleMs)) {
    s.bucketUnconfirmed = true;
    return s.done(
      `the rounds could not tell a token bucket from a sliding-window counter (${confirmed ? `followed ${(followedMs / 1000).toFixed(1)} s of the ${s.o.longerScaleMs / 1000} s asked` : s.o.signal.aborted ? 'the run was interrupted before the bucket was let fill' : 'the bucket could not be let fill and counted within --duration and the request budget'}): ${s.rounds.map((x) => `${x.round} (${x.note})`).join('; ')}`,
    );
  }
  const trusted = s.o.longerScaleMs > 0 ? '' : '; one limit trusted (--longer-scale 0): no second, longer-scale limit was looked for';
  return s.done(`rounds: ${s.rounds.map((x) => `${x.round} (${x.note})`).join('; ')}${trusted}`, bucket);
};
