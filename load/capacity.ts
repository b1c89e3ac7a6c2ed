import { writeFileSync } from 'node:fs';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { join } from 'node:path';
import { Progress } from '../core/progress.ts';
import { type CapacityEstimate, type CheckResult, type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { parsePolicyField, parseRetryAfter, wholeField } from '../api-model/rate-limit/index.ts';
import { secondLimitText, spendText } from '../reports/capacity.ts';
import { Backoff } from './backoff.ts';
import { advertisedLimit, checkOverload, sinkFor } from './checks.ts';
import { loadEndpoint } from './endpoint.ts';
import { loadCheck } from './result.ts';
import { CAPACITY_CHECKS } from './check-ids.ts';
import { bucketCannotExplainGap, type Estimate, equivalentPair, estimate, periodOf, toSamples } from './estimate.ts';
import { buildTimeline, isAllowed, isThrottled, nowMs, type Observation, statusLine } from './observe.ts';
import { type LoadOptions, validateLoadOptions } from './options.ts';
import { type PacedRequest, type PacerResult, runPacer } from './pacer.ts';
import { aboutEndpointOf, probeRequestFor } from './probe-request.ts';
import { keepCreatedBody, ledgerRecorder, loadCurl, loadRequest } from './request.ts';
import { roundsEstimate, type RoundRecord, runRounds } from './rounds/index.ts';
import { preparePhase } from './safety.ts';

/**
 * `load capacity`: estimate the limiter without being told its settings. The evenly paced
 * prober starts at `rate` and doubles it every second no 429 came back; once throttled it
 * holds its rate, and the estimate is refitted every half second until it is tight enough
 * or `maxDurationS` is up.
 */
export const CAPACITY_FILE = 'capacity.json';

/** Long enough to see a limit over a longer scale than the first one bind (unless --duration is shorter). */
export const MIN_PROBING_MS = 6000;
/** A model must explain this share of the recoveries to end probing early. */
const SETTLE_FIT = 0.9;

const lastSuccessMs = (obs: readonly Observation[]) => obs.reduce((m, o) => (isAllowed(o) ? Math.max(m, o.sentMs) : m), Number.NEGATIVE_INFINITY);

/**
 * Good enough to stop probing: a model explains nearly every recovery over several of its
 * periods, clearly better than any other, its parameters are tight, and the client is not
 * in a throttled stretch longer than the model allows (a second limit may be binding).
 */
export const estimateSettled = (e: Estimate, elapsedMs: number, sinceLastSuccessMs = 0): boolean => {
  if (!e.algorithm || elapsedMs < MIN_PROBING_MS) return false;
  if (e.algorithm === 'shaping') return true;
  const period = periodOf(e);
  if (elapsedMs < 3 * period || sinceLastSuccessMs > Math.max(1000, 3 * period)) return false;
  // A queue's decisions are scored as the bucket they make.
  const win = e.scores.find((x) => x.model === (e.algorithm === 'queue' ? 'token_bucket' : e.algorithm));
  if (!win || win.fit === null || win.fit < SETTLE_FIT || win.of < 4) return false;
  if (e.scores.some((x) => x !== win && !equivalentPair(e, x.model, win.model) && (x.fit ?? 0) > win.fit! - 0.1)) return false;
  const fw = e.fixedWindow;
  const tb = e.tokenBucket;
  if (e.algorithm === 'fixed_window') return !!fw && fw.windows >= 2 && (fw.windowPmMs ?? Infinity) <= 250 && fw.limitPm === 0;
  if (e.algorithm === 'token_bucket' || e.algorithm === 'queue') return !!tb && tb.ratePmPerS / tb.ratePerS <= 0.01 && tb.burstPm <= 0.45;
  if (e.algorithm === 'sliding_window') return (e.slidingWindow?.windowPmMs ?? Infinity) <= 250;
  return true;
};

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** What a long-window probe learned by waiting instead of spending. */
export interface LongWindow {
  /** Seconds the prober waited, and until when (epoch ms). */
  waitedS: number;
  /** The wait was over and a success came back within a second of the advertised time. */
  recoveredOnTime: boolean | null;
  /** Window length from X-Ratelimit-Reset across the observed recovery, seconds. */
  windowS: number | null;
}

/**
 * The fewest requests that could establish an answer (issue 22): a window or a concurrency
 * limit of L needs L admitted and one refused; a bucket of B needs its burst and one
 * refused, then two refills timed (the interval between them is the rate). Null for no
 * answer, or one (shaping) not priced in requests.
 */
export const requestsMinimum = (c: Pick<CapacityEstimate, 'algorithm' | 'limit' | 'burst'>): number | null => {
  if ((c.algorithm === 'fixed_window' || c.algorithm === 'sliding_window' || c.algorithm === 'concurrency') && c.limit !== null) return c.limit + 1;
  if (c.algorithm === 'token_bucket' && c.burst !== null) return c.burst + 1 + 2;
  return null;
};

/** What the estimate cost against its minimum. */
export const spendOf = (c: Pick<CapacityEstimate, 'algorithm' | 'limit' | 'burst'>, spent: number) => {
  const minimum = requestsMinimum(c);
  return { requests_spent: spent, requests_minimum: minimum, spent_ratio: minimum ? round(spent / minimum, 1) : null };
};

/** The second limit as saved: its own quota and window, with their slack. */
const secondLimitRecord = (l: NonNullable<Estimate['secondLimit']>): NonNullable<CapacityEstimate['second_limit']> => ({
  throttled_for_s: l.throttledForS,
  successes_before: l.successesBefore,
  stretches: l.stretches,
  quota: l.quota,
  quota_pm: l.quotaPm,
  quota_at_least: l.quotaAtLeast,
  window_s: l.windowMs === null ? null : round(l.windowMs / 1000),
  window_pm_s: l.windowPmMs === null ? null : round(l.windowPmMs / 1000),
  note: l.note,
});

/** The saved estimate: null where a field does not apply to the model found. */
export const toCapacity = (e: Estimate, advertised: number | null, sent: number, durationS: number, long: LongWindow | null = null, simulator = false) => {
  const fw = e.algorithm === 'fixed_window' ? e.fixedWindow : null;
  const tb = e.algorithm === 'token_bucket' ? e.tokenBucket : null;
  const sl = e.algorithm === 'sliding_window' ? e.slidingWindow : null;
  const cc = e.algorithm === 'concurrency' ? e.concurrency : null;
  // A queue: `limit` is how many it holds, `burst` how many go through at once, the rate its leak.
  const qu = e.algorithm === 'queue' ? e.queue : null;
  // A lockout: `limit` successes, then locked `window_s`; a counter of refusals too: `limit` per `window_s`.
  const lk = e.algorithm === 'lockout' ? e.lockout : null;
  const rc = e.algorithm === 'refusal_counter' ? e.refusalCounter : null;
  // The decision time of any request is uncertain by the spread of round trips.
  const rttS = e.rttSpreadMs / 1000;
  const windowMs = fw?.windowMs ?? sl?.windowMs ?? lk?.lockMs ?? rc?.windowMs ?? null;
  const capacity: CapacityEstimate = {
    algorithm: e.algorithm,
    limit: fw?.limit ?? sl?.limit ?? cc?.limit ?? qu?.depth ?? lk?.limit ?? rc?.limit ?? null,
    window_s: long?.windowS ?? (windowMs !== null ? round(windowMs / 1000) : null),
    burst: tb?.burst ?? (qu ? qu.undelayed + 1 : null),
    rate_per_s: tb ? round(tb.ratePerS, 4) : qu ? round(qu.ratePerS, 4) : e.algorithm === 'shaping' ? e.shapingRatePerS : null,
    advertised_limit: advertised,
    requests_sent: sent,
    duration_s: round(durationS, 2),
    uncertainty: {},
    fit: e.scores.map((x) => ({ model: x.model, fit: x.ruledOut ? 0 : x.fit })),
    second_limit: e.secondLimit ? secondLimitRecord(e.secondLimit) : null,
    reason: e.reason,
  };
  const u = capacity.uncertainty!;
  if (fw && !long) {
    u['limit'] = fw.limitPm;
    if (fw.windowPmMs != null) u['window_s'] = round(fw.windowPmMs / 1000 + rttS);
  }
  if (sl) u['window_s'] = round(sl.windowPmMs / 1000 + rttS);
  if (lk) u['window_s'] = round(lk.lockPmMs / 1000 + rttS);
  if (rc) u['window_s'] = round(rc.windowPmMs / 1000 + rttS);
  if (qu && e.tokenBucket) u['rate_per_s'] = round(e.tokenBucket.ratePmPerS + (qu.ratePerS * rttS) / Math.max(1, durationS), 4);
  if (tb) {
    // An extrapolated burst rests on decision times, each uncertain by the round-trip
    // spread: that much time is that many tokens (a loaded machine read 5 for a true 4,
    // "± 0.21", from the line's fit alone). A measured burst already counts its refills.
    u['burst'] = tb.burstMeasured ? tb.burstPm : round(tb.burstPm + tb.ratePerS * rttS, 2);
    // The fit's spread plus what a round trip of jitter does to the rate over the run.
    u['rate_per_s'] = round(tb.ratePmPerS + (tb.ratePerS * rttS) / Math.max(1, durationS), 4);
  }
  return {
    ...capacity,
    /** The burst is a lower bound: it was not measured on a full bucket, and others may have spent part of it. */
    burst_at_least: tb !== null && !tb.burstMeasured && !simulator,
    /** After a long wait the quota is what the first window let through: others may have spent part of it. */
    limit_at_least: long !== null && e.algorithm === 'fixed_window',
    concurrency: cc?.limit ?? null,
    quota_before_first_429: e.quotaBeforeFirst429,
    success_rate: e.successRate,
    long_window: long,
    scores: e.scores,
    /** The prober backed off: each silence it kept before a probe, and whether that probe was let through. */
    back_off: null as Array<{ silent_s: number; recovered: boolean | null }> | null,
    /** The designed rounds run before any continuous probing: what each sent and which models it left standing. */
    rounds: null as RoundRecord[] | null,
    /** What the prober sent: creates (each recorded in the ledger) or a request that creates nothing. */
    probe_request: loadEndpoint().spec.name as string,
    ...spendOf(capacity, sent),
  };
};

export interface CapacityRun {
  estimate: Estimate;
  pacer: PacerResult;
  capacity: ReturnType<typeof toCapacity>;
}

/** A wait this long or longer is waited out, not spent: DevRev's window is five minutes. */
export const HOLD_FROM_S = 5;
/** Modest rate once a long wait is over: enough to time the recovery, not to spend the new window. */
const CHECK_RATE = 20;
/** Requests sent after a long wait: "a handful". */
const CHECK_REQUESTS = 4;
/**
 * Once throttled, the prober's rate varies in an irregular pattern: a fixed window lets the
 * next window's quota through as fast as requests come, a sliding log at the pace of the
 * admissions it forgets, a concurrency limit as answers leave; at one constant rate the
 * three can look alike.
 */
const RATE_PATTERN = [1, 0.5, 1.5, 0.7, 1.3, 0.6, 1.4, 1];
/**
 * Once throttled, hammering at the ramp's rate spends quota on refusals that teach nothing
 * new (a window of 10/s answered 200/s with 95% 429s): after a second of being throttled the
 * prober follows what the limiter lets through, this many times its success rate since the
 * first 429 (never above the ramp's rate, never below the floor), still fast enough to time
 * each recovery to a fraction of the interval between admissions.
 */
const FOLLOW_SUCCESS_RATE = 4;
const MIN_THROTTLED_RATE = 20;

/** The wait a 429 advertises, seconds: Retry-After (seconds or HTTP-date), else the body's retry_after. */
export const advertisedWaitS = (o: Observation): number | null => {
  const ra = parseRetryAfter(o.headers?.['retry-after'], { dateHeader: o.headers?.['date'], nowMs: o.recvMs });
  if (ra) return ra.seconds;
  const b = (o.body as { retry_after?: unknown } | undefined)?.retry_after;
  return typeof b === 'number' && Number.isFinite(b) ? b : null;
};

/** The probing and the estimate, without the results model: the benchmark calls this. */
export const probeCapacity = async (
  ctx: RunContext,
  o: LoadOptions,
  cap: number,
  token: string,
  progress?: Progress,
  request: (ctx: RunContext, token: string) => PacedRequest = loadRequest,
): Promise<CapacityRun> => {
  let rate = o.rate;
  let rampedAt = 0;
  let throttled = false;
  const record = ledgerRecorder(ctx);
  let firstNoMs: number | null = null;
  let admittedSince = 0;
  const throttledRate = () => {
    const s = firstNoMs === null ? 0 : (nowMs() - firstNoMs) / 1000;
    return s < 1 ? rate : Math.min(rate, Math.max(MIN_THROTTLED_RATE, (FOLLOW_SUCCESS_RATE * admittedSince) / s));
  };
  // Long windows: after the first 429 that advertises a long wait, nothing is sent until
  // it is nearly over, then a handful of requests time the recovery.
  let hold: { from: Observation; untilMs: number } | null = null;
  let afterHold = 0;
  let holdNote = '';
  const startedMs = nowMs();
  const deadlineMs = startedMs + o.maxDurationS * 1000;
  // Designed rounds first (concurrency 1, a few requests each): they settle a bucket at
  // about its physical minimum; what they leave open the continuous probing decides.
  const rounds = await runRounds({
    url: ctx.target.url,
    next: () => request(ctx, token),
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
    keepBody: keepCreatedBody(ctx),
    onObservation: record,
    cap,
    deadlineMs,
    holdFromS: HOLD_FROM_S,
    longerScaleMs: o.longerScaleS * 1000,
    advertisedWaitS,
    onRound: (r) => progress?.update(`rounds: ${r.round}, ${r.sent} sent (${r.note})`),
  });
  ctx.budget.takeUpTo(rounds.sent);
  // Interrupted during the rounds, what they found is the answer (the continuous probing
  // would start and stop at once, and read nothing).
  if (ctx.signal.aborted && !rounds.bucket && !rounds.window) {
    rounds.reason = `interrupted during the designed rounds (${rounds.rounds.map((x) => x.round).join(', ') || 'none ended'}): ${rounds.reason}`;
    rounds.unknown = rounds.reason;
  }
  progress?.update(`rounds: ${rounds.rounds.map((x) => x.round).join(', ')}; ${rounds.bucket ? 'settled' : 'continuous probing decides'}`);
  if (rounds.bucket || rounds.window || rounds.unknown) {
    const e = roundsEstimate(rounds);
    const endMs = nowMs();
    const pacer: PacerResult = { observations: rounds.observations, startMs: startedMs, endMs, sent: rounds.sent, skipped: 0, stoppedBy: 'enough' };
    const capacity = toCapacity(e, advertisedLimit(rounds.observations), rounds.sent, (endMs - startedMs) / 1000, null, ctx.target.kind === 'simulator');
    capacity.rounds = rounds.rounds;
    return { estimate: e, pacer, capacity };
  }
  // The rounds may leave a bucket drained: the continuous probing starts on a limiter left
  // alone long enough to refill (never more than a third of the time left).
  const restMs = Math.min(rounds.restMs, (deadlineMs - nowMs()) / 3);
  // A rest cut short leaves a bucket part empty: its first burst is then a lower bound, even
  // on the embedded simulator (seen: a bucket of 4 read as 3 with --duration 5).
  const restCut = rounds.restMs - restMs > 50;
  if (restMs > 50 && !ctx.signal.aborted) {
    progress?.update(`rounds: ${rounds.reason}; letting the limiter recover for ${(restMs / 1000).toFixed(1)} s before probing continuously`);
    await sleepFor(restMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  // A long advertised wait seen by the rounds' burst is waited out by the prober below.
  const before = rounds.longWait ? rounds.observations : [];
  const withRounds = (obs: readonly Observation[]) => (before.length === 0 ? obs : [...before, ...obs]);
  if (before.length > 0) throttled = true;
  const backoff = new Backoff(advertisedWaitS);
  const pacer = await runPacer({
    url: ctx.target.url,
    rate: (elapsed, obs) => {
      if (!throttled && obs.some(isThrottled)) throttled = true;
      if (hold) return CHECK_RATE;
      if (!throttled && elapsed - rampedAt >= 1000 && rate < o.maxRate) {
        rate = Math.min(o.maxRate, rate * 2);
        rampedAt = elapsed;
      }
      return throttled ? throttledRate() * RATE_PATTERN[Math.floor(elapsed / 150) % RATE_PATTERN.length]! : rate;
    },
    next: () => {
      backoff.onSend(nowMs());
      return request(ctx, token);
    },
    concurrency: o.concurrency,
    maxRequests: Math.max(0, cap - rounds.sent),
    maxDurationMs: Math.max(0, deadlineMs - nowMs()),
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
    holdUntil: (seen) => {
      const obs = withRounds(seen);
      if (!hold) {
        const first = obs.find(isThrottled);
        const wait = first ? advertisedWaitS(first) : null;
        // Short or no advertised wait: back off if the refusals go on past it.
        if (!first || wait === null || wait < HOLD_FROM_S) return backoff.holdUntil(obs, nowMs());
        // Until the advertised reset itself: a check sent before it proves nothing about it.
        hold = { from: first, untilMs: first.recvMs + wait * 1000 };
        const until = new Date(hold.untilMs).toISOString().slice(11, 19);
        holdNote = `waiting out the window: the 429 advertised ${Math.round(wait)} s, until ${until} UTC`;
        if (hold.untilMs > deadlineMs) holdNote += ` (beyond --duration ${o.maxDurationS} s: pass --duration ${Math.ceil((hold.untilMs - startedMs) / 1000) + 10})`;
      }
      return nowMs() < hold.untilMs ? hold.untilMs : null;
    },
    stopWhen: (seen, elapsed) => {
      const obs = withRounds(seen);
      if (hold) {
        if (hold.untilMs > deadlineMs) return true;
        afterHold = obs.filter((x) => x.sentMs >= hold!.untilMs).length;
        return afterHold >= CHECK_REQUESTS;
      }
      return estimateSettled(estimate(obs), elapsed, nowMs() - lastSuccessMs(obs));
    },
    checkEveryMs: 100,
    keepBody: keepCreatedBody(ctx),
    onObservation: (ob) => {
      record(ob);
      if (firstNoMs === null) {
        if (isThrottled(ob)) firstNoMs = ob.sentMs;
      } else if (isAllowed(ob) && ob.sentMs > firstNoMs) admittedSince++;
    },
    onTick: (obs, start, inFlight) => progress?.update(hold && nowMs() < hold.untilMs ? `${statusLine(obs, start, inFlight)}; ${holdNote}` : `${statusLine(obs, start, inFlight)}, ${Math.round(throttled ? throttledRate() : rate)} req/s`),
  });
  ctx.budget.takeUpTo(pacer.sent);
  // The rounds' traffic joins the record; the estimate reads it only after a long wait (its
  // burst is the quota), else the continuous probing's own (an even rate is what it models).
  pacer.observations = [...rounds.observations, ...pacer.observations];
  pacer.sent += rounds.sent;
  pacer.startMs = startedMs;
  const e = estimate(rounds.longWait ? pacer.observations : pacer.observations.slice(rounds.observations.length));
  // What the designed rounds ruled out stays out, whatever the continuous probing fits.
  // A bucket's empty lattice rules out a bucket alone: with the second limit the continuous
  // probing found beside it, the bucket stands (the zoo's two tiers).
  if (e.algorithm && rounds.ruledOut?.models.includes(e.algorithm) && !(rounds.ruledOut.single && e.secondLimit)) {
    e.reason = `the continuous probing fitted a ${e.algorithm.replace('_', ' ')} (${e.reason}), but the designed rounds ruled it out: ${rounds.ruledOut.why}`;
    e.algorithm = null;
  }
  const refill = e.algorithm === 'token_bucket' && ctx.target.kind !== 'simulator' && !ctx.signal.aborted ? await measureBurst(ctx, o, e, cap - pacer.sent, deadlineMs, () => request(ctx, token), record, progress) : null;
  if (refill) pacer.sent += refill.sent;
  // The rounds could not tell a bucket from a sliding-window counter; throttled at a steady
  // rate the continuous probing cannot either, unless the bucket was let fill and fired at
  // past its burst (seen: a counter named a bucket when no time was left for it). The
  // embedded simulator has no such counter: there the bucket stands, as before the rounds.
  if (e.algorithm === 'token_bucket' && rounds.bucketUnconfirmed && !e.tokenBucket?.burstMeasured && ctx.target.kind !== 'simulator') {
    e.reason = `the continuous probing fitted a token bucket (${e.reason}), but neither it nor the designed rounds could let the bucket fill and fire past its burst, which tells a bucket from a sliding-window counter (a longer --duration leaves time for it)`;
    e.algorithm = null;
  }
  const durationS = (nowMs() - pacer.startMs) / 1000;
  const long = hold ? judgeLongWindow(pacer.observations, hold, e, pacer.endMs) : null;
  if (hold && long) {
    const h: { from: Observation; untilMs: number } = hold;
    if (h.untilMs > deadlineMs) e.reason = `${holdNote}; ${e.reason}`;
  }
  if (restCut && e.algorithm === 'token_bucket' && !e.tokenBucket?.burstMeasured) e.reason = `${e.reason}; the limiter was let rest ${(restMs / 1000).toFixed(1)} s of the ${(rounds.restMs / 1000).toFixed(1)} s a bucket may need to refill (a longer --duration leaves time for it): the burst is a lower bound`;
  const capacity = toCapacity(e, advertisedLimit(pacer.observations), pacer.sent, durationS, long, ctx.target.kind === 'simulator' && !restCut);
  capacity.back_off = backOffRecord(backoff);
  capacity.rounds = rounds.rounds;
  return { estimate: e, pacer, capacity };
};

/** The silences the prober kept (how long it really waited before each probe) and which probe was let through. */
const backOffRecord = (b: Backoff) =>
  b.silences.length === 0 ? null : b.silences.filter((x) => Number.isFinite(x.probeMs)).map((x) => ({ silent_s: round((x.probeMs - x.fromMs) / 1000, 2), recovered: x.recovered }));

/**
 * The burst of a bucket, measured rather than extrapolated: what the first burst showed may
 * be short of it by whatever others spent just before (the preflight, another pillar), so
 * the prober waits long enough for the bucket to fill, then fires until the first 429. A
 * full bucket gives fewer successes than the wait would have refilled: that is the burst.
 */
const measureBurst = async (
  ctx: RunContext,
  o: LoadOptions,
  e: Estimate,
  cap: number,
  deadlineMs: number,
  next: () => PacedRequest,
  record: (ob: Observation) => void,
  progress?: Progress,
): Promise<{ sent: number } | null> => {
  const tb = e.tokenBucket!;
  const waitMs = Math.max(1000, (3 * (tb.burst + 1) * 1000) / tb.ratePerS);
  if (nowMs() + waitMs + 1000 > deadlineMs || cap < 4 * (tb.burst + 2)) return null;
  const holdUntil = nowMs() + waitMs;
  const rate = Math.min(o.maxRate, Math.max(o.rate, 20 * tb.ratePerS));
  const until = new Date(holdUntil).toISOString().slice(11, 19);
  const tokenMs = 1000 / tb.ratePerS;
  const heldLimitMs = 2.5 * tokenMs + 100;
  const run = await runPacer({
    url: ctx.target.url,
    rate: () => rate,
    next,
    concurrency: o.concurrency,
    maxRequests: Math.min(cap, 4 * (tb.burst + 2) + Math.ceil((rate * heldLimitMs) / 1000)),
    maxDurationMs: waitMs + 2000 + heldLimitMs,
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
    holdUntil: () => holdUntil,
    checkEveryMs: 20,
    // Past the burst's first 429, on until the bucket's next token (or well past when it is
    // due): a bucket lets a request through within 1 / rate of its last success.
    stopWhen: (obs) => {
      const after = obs.filter((x) => x.sentMs >= holdUntil - 1);
      const firstNo = after.find(isThrottled);
      if (!firstNo) return false;
      return after.some((x) => x.sentMs > firstNo.sentMs && isAllowed(x)) || nowMs() > firstNo.sentMs + heldLimitMs;
    },
    // Its creates are recorded like the probing's: the ledger needs the ids in their bodies.
    keepBody: keepCreatedBody(ctx),
    onObservation: record,
    onTick: () => progress?.update(`letting the bucket fill until ${until} UTC, then measuring its burst`),
  });
  ctx.budget.takeUpTo(run.sent);
  judgeFilledBucket(run.observations, holdUntil, waitMs, e);
  return { sent: run.sent };
};

/**
 * What the requests after letting a bucket fill say (observations of the burst run, the
 * instant the wait ended, its length): the burst counted on a full bucket, and whether a
 * bucket can explain how long the target then refused. Updates the estimate.
 */
export const judgeFilledBucket = (observations: readonly Observation[], holdUntil: number, waitMs: number, e: Estimate): void => {
  const tb = e.tokenBucket!;
  const tokenMs = 1000 / tb.ratePerS;
  // The pacer's first request leaves at once (it opens the connection): only what follows
  // the wait counts. Decision times, not receive times: work after the decision (30 ms in
  // the zoo) is no time for the bucket to refill.
  const s = toSamples(observations.filter((x) => x.status !== null && x.sentMs >= holdUntil - 1));
  let burst = 0;
  while (burst < s.length && s[burst]!.allowed) burst++;
  const refilledDuring = burst > 0 ? ((s[burst - 1]!.t - s[0]!.t) / 1000) * tb.ratePerS : 0;
  // Fewer than the wait refilled: the bucket was full, so this is its burst (plus what refilled while it drained).
  if (burst > 0 && burst < (waitMs / 1000) * tb.ratePerS && burst >= tb.burst) {
    tb.burst = Math.max(1, Math.round(burst - refilledDuring));
    tb.burstPm = Math.round(Math.max(refilledDuring, 0.01) * 100) / 100;
    tb.burstMeasured = true;
    e.reason += `; burst measured after letting the bucket fill for ${(waitMs / 1000).toFixed(1)} s`;
  }
  // The burst's run of 429s, against the bucket's next token. Held far longer, something
  // else decides: a sliding-window counter's first window, spent at once, holds the client
  // until its window turns, which a steadily throttled run cannot tell from a bucket.
  // A second limit already seen explains a long hold: the bucket stands.
  if (burst > 0 && burst < s.length && !e.secondLimit) {
    const rec = s.findIndex((x, i) => i > burst && x.allowed);
    const to = rec < 0 ? s.length : rec;
    if (bucketCannotExplainGap(s, 0, to, tokenMs)) {
      const heldMs = Math.round(s[to - 1]!.t - s[burst - 1]!.t);
      e.reason = `a token bucket (${e.reason}) would have let a request through within ${Math.round(tokenMs)} ms of its burst, but the target refused for ${heldMs} ms: not a bucket; a sliding-window counter or a second limit may hold its clients like this`;
      e.algorithm = null;
    }
  }
};

/**
 * A window longer than the probing budget: the quota was spent once, the prober waited
 * for the advertised reset, and a handful of requests checked it. The quota is what the
 * first window let through (others may have spent some of it first: a lower bound); the
 * length comes from X-Ratelimit-Reset before and after the recovery, which the observed
 * recovery confirms (a success within a second of the advertised end).
 */
export const judgeLongWindow = (obs: readonly Observation[], hold: { from: Observation; untilMs: number }, e: Estimate, endedMs: number): LongWindow => {
  const resetMs = hold.untilMs;
  const sorted = [...obs].sort((a, b) => a.sentMs - b.sentMs);
  const after = sorted.filter((x) => x.sentMs >= resetMs);
  // What was really waited: from the last request before the silence to the first after
  // it, or to the end of the run when it ended first (never the advertised time unwaited).
  const lastBefore = sorted.filter((x) => x.sentMs < resetMs).reduce((m, x) => Math.max(m, x.sentMs), hold.from.sentMs);
  const waitedS = round(Math.max(0, (after[0]?.sentMs ?? endedMs) - lastBefore) / 1000, 1);
  const advertisedS = Math.round((resetMs - hold.from.recvMs) / 1000);
  const firstOk = after.find(isAllowed);
  const recoveredOnTime = after.length === 0 ? null : !!firstOk && Math.abs(firstOk.sentMs - resetMs) <= 1000;
  const resetBefore = wholeField(hold.from.headers?.['x-ratelimit-reset']);
  const resetAfter = firstOk ? wholeField(firstOk.headers?.['x-ratelimit-reset']) : null;
  const windowS = recoveredOnTime && resetBefore !== null && resetAfter !== null && resetAfter > resetBefore ? resetAfter - resetBefore : null;
  // Every check request from the first success on allowed: the quota came back whole (a
  // window), not a token at a time. Only CHECK_REQUESTS go out, and the first may still
  // land before the reset, so the run is judged against what was sent after the first success.
  const sinceOk = firstOk ? after.filter((x) => x.sentMs >= firstOk.sentMs) : [];
  const run = sinceOk.filter(isAllowed).length;
  const wholeRun = run >= Math.min(2, e.quotaBeforeFirst429 ?? 2) && run === sinceOk.length;
  if (recoveredOnTime && wholeRun) {
    e.algorithm = 'fixed_window';
    e.fixedWindow = {
      algorithm: 'fixed_window',
      limit: e.quotaBeforeFirst429 ?? 0,
      limitPm: 0,
      windowMs: windowS === null ? null : windowS * 1000,
      windowPmMs: windowS === null ? null : 1000,
      offsetMs: null,
      windows: 1,
      mismatches: 0,
    };
    e.reason = `long window: spent ${e.quotaBeforeFirst429} requests, waited ${waitedS} s until the advertised reset (${advertisedS} s after the 429), and the quota came back whole on time${windowS === null ? ' (window length unknown: one window start seen)' : ''}; the quota is a lower bound if others spent part of it`;
  } else if (after.length === 0) {
    e.reason = `long window: the 429 advertised ${advertisedS} s; the run ended after ${waitedS} s of waiting, before the reset, so nothing was checked after it`;
  } else {
    const throttled = after.filter(isThrottled).length;
    e.reason = `long window: waited ${waitedS} s until the advertised reset (${advertisedS} s after the 429); ${recoveredOnTime ? `only ${run} success(es) after it` : `${throttled} of ${after.length} request(s) sent after it still throttled`}`;
  }
  return { waitedS, recoveredOnTime, windowS };
};

export const runLoadCapacity = async (ctx: RunContext, given: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const o = validateLoadOptions(given);
  const startedAt = new Date();
  const sentBefore = ctx.budget.sent;
  const cap = preparePhase(ctx, o, 'load capacity', o.maxDurationS);
  const progress = new Progress('load capacity', { quiet: ctx.quiet });
  const token = ctx.token ?? '';
  const choice = await probeRequestFor(ctx, o, 'load capacity', token);
  const run = await probeCapacity(ctx, o, Math.max(0, cap - choice.sent), token, progress, choice.request);
  run.capacity.probe_request = choice.label;
  // The phase's whole spend: asking whether a create-less request counts is part of it.
  Object.assign(run.capacity, spendOf(run.capacity, choice.sent + run.capacity.requests_sent));
  const c = run.capacity;
  progress.done(`${statusLine(run.pacer.observations, run.pacer.startMs)}; ${describeCapacity(c)}; ${spendText(c)}`);
  writeFileSync(join(ctx.outDir, CAPACITY_FILE), `${JSON.stringify(c, null, 2)}\n`);

  const checks: CheckResult[] = [];
  checks.push({
    id: CAPACITY_CHECKS.estimate.id,
    pillar: 'load',
    name: CAPACITY_CHECKS.estimate.name,
    endpoint: choice.endpoint,
    outcome: c.algorithm ? 'pass' : 'inconclusive',
    durationMs: run.pacer.endMs - run.pacer.startMs,
    reason: c.algorithm ? undefined : run.estimate.reason,
    findings: [],
  });
  const sink = sinkFor(ctx, CAPACITY_CHECKS.advertisedLimit.id, loadCurl(ctx, token, o.endpoint));
  const { outcome, reason } = compareAdvertised(c, run.estimate, run.pacer.observations, sink);
  const findings = sink.findings();
  checks.push({
    id: CAPACITY_CHECKS.advertisedLimit.id,
    pillar: 'load',
    name: CAPACITY_CHECKS.advertisedLimit.name,
    endpoint: choice.endpoint,
    outcome: findings.length > 0 ? 'pass' : outcome,
    durationMs: 0,
    reason,
    findings,
  });
  // Capacity drives the target past its limit too: a 5xx or a dropped connection there is
  // as much an answer to overload as in the probe (which a small budget may never reach).
  const ov = sinkFor(ctx, CAPACITY_CHECKS.overload.id, loadCurl(ctx, token, o.endpoint));
  checkOverload(run.pacer.observations, ov);
  checks.push(loadCheck(CAPACITY_CHECKS.overload.id, CAPACITY_CHECKS.overload.name, ov.findings()));
  return pillarResult('load', startedAt, ctx.budget.sent - sentBefore, checks.map(aboutEndpointOf(choice)), {
    timelines: { capacity: buildTimeline(run.pacer.observations, run.pacer.startMs) },
    capacity: {
      algorithm: c.algorithm,
      limit: c.limit,
      window_s: c.window_s,
      burst: c.burst,
      rate_per_s: c.rate_per_s,
      advertised_limit: c.advertised_limit,
      requests_sent: c.requests_sent,
      duration_s: c.duration_s,
      uncertainty: c.uncertainty,
      fit: c.fit,
      second_limit: c.second_limit,
      reason: c.reason,
      limit_at_least: c.limit_at_least,
      burst_at_least: c.burst_at_least,
      requests_spent: c.requests_spent,
      requests_minimum: c.requests_minimum,
      spent_ratio: c.spent_ratio,
    },
  });
};

/** The estimate is good enough to accuse the headers: a window or bucket that explains the run, one limit, tight figures. */
const confident = (c: ReturnType<typeof toCapacity>, e: Estimate): boolean => {
  if (c.algorithm !== 'fixed_window' && c.algorithm !== 'token_bucket' && c.algorithm !== 'sliding_window') return false;
  if (c.second_limit) return false;
  if (c.long_window) return c.long_window.recoveredOnTime === true;
  // A burst read off the refill line alone was one token high on a loaded machine with a
  // tight fit (a false accusation); only a burst counted on a full bucket accuses the headers.
  if (c.algorithm === 'token_bucket' && !e.tokenBucket?.burstMeasured) return false;
  const win = e.scores.find((x) => x.model === c.algorithm);
  return !!win && (win.fit ?? 0) >= SETTLE_FIT && (c.uncertainty?.['limit'] ?? c.uncertainty?.['burst'] ?? 0) <= 1;
};

/** The most frequent value of a header over the run. */
const mostFrequent = (obs: readonly Observation[], name: string): string | null => {
  const counts = new Map<string, number>();
  for (const o of obs) {
    const v = o.headers?.[name];
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best: string | null = null;
  let most = 0;
  for (const [v, n] of counts) if (n > most) [best, most] = [v, n];
  return best;
};

/**
 * X-Ratelimit-Limit against the observed quota (window) or burst (bucket), and an IETF
 * RateLimit-Policy of one policy against the quota and window. Only a confident estimate
 * accuses the headers; otherwise the comparison is inconclusive, with the reason.
 */
export const compareAdvertised = (
  c: ReturnType<typeof toCapacity>,
  e: Estimate,
  obs: readonly Observation[],
  sink: ReturnType<typeof sinkFor>,
): { outcome: CheckResult['outcome']; reason: string | undefined } => {
  const estimated = c.limit ?? c.burst;
  if (!confident(c, e) || estimated === null) {
    const why = c.algorithm === 'token_bucket' && !e.tokenBucket?.burstMeasured ? 'the burst was extrapolated, not counted on a full bucket (a longer --duration measures it)' : c.reason;
    return { outcome: 'inconclusive', reason: `no confident estimate to compare the headers with (${why})` };
  }
  const tolerance = (c.uncertainty?.['limit'] ?? c.uncertainty?.['burst'] ?? 0) + 0.5;
  const what = c.algorithm === 'token_bucket' ? 'burst' : 'quota';
  // After a long wait the quota is a lower bound (others may have spent part of the first window).
  const lowerBoundOnly = c.long_window !== null || c.burst_at_least;
  const off = (advertised: number) => (lowerBoundOnly ? advertised < estimated - tolerance : Math.abs(advertised - estimated) > tolerance);
  if (c.advertised_limit !== null && off(c.advertised_limit)) {
    sink.add('rate-limit-limit-mismatch', {
      status: null,
      pointer: '/headers/x-ratelimit-limit',
      expected: estimated,
      actual: c.advertised_limit,
      message: `X-Ratelimit-Limit advertises ${c.advertised_limit}, the observed ${what} is ${estimated}${lowerBoundOnly ? ' (at least)' : ''}`,
    });
  }
  const raw = mostFrequent(obs, 'ratelimit-policy');
  const policy = raw === null ? null : parsePolicyField(raw);
  if (policy?.ok && policy.items.length === 1) {
    const p = policy.items[0]!;
    const windowOff = c.algorithm !== 'token_bucket' && p.windowS !== null && c.window_s !== null && Math.abs(p.windowS - c.window_s) > (c.uncertainty?.['window_s'] ?? 0) + 1;
    if (off(p.quota) || windowOff) {
      sink.add('rate-limit-policy-mismatch', {
        status: null,
        pointer: '/headers/ratelimit-policy',
        expected: `q=${estimated}${c.window_s !== null ? `;w=${Math.round(c.window_s)}` : ''}`,
        actual: raw,
        message: `RateLimit-Policy advertises ${raw}, the observed ${what} is ${estimated}${c.window_s !== null ? ` per ${c.window_s} s` : ''}`,
      });
    }
  }
  return { outcome: 'pass', reason: undefined };
};

export const describeCapacity = (c: ReturnType<typeof toCapacity>): string => {
  const pm = (k: string) => (c.uncertainty?.[k] !== undefined ? ` ± ${c.uncertainty[k]}` : '');
  const second = secondLimitText(c);
  if (c.algorithm === 'fixed_window') return `fixed window: ${c.limit_at_least ? 'at least ' : ''}${c.limit}${pm('limit')} per ${c.window_s ?? '?'}${pm('window_s')} s${second}`;
  if (c.algorithm === 'sliding_window') return `sliding window: ${c.limit} per ${c.window_s}${pm('window_s')} s${second}`;
  if (c.algorithm === 'token_bucket') return `token bucket: burst ${c.burst_at_least ? 'at least ' : ''}${c.burst}${pm('burst')}, ${c.rate_per_s}${pm('rate_per_s')} per s${second}`;
  if (c.algorithm === 'concurrency') return `concurrency limit: ${c.limit} in flight`;
  if (c.algorithm === 'shaping') return `shaping: no 429, throughput held at ${c.rate_per_s} per s while answers slowed`;
  if (c.algorithm === 'lockout') return `lockout: ${c.limit} successes, then locked out for ${c.window_s}${pm('window_s')} s${second}`;
  if (c.algorithm === 'refusal_counter') return `counter that includes refusals: ${c.limit} requests (let through or not) per ${c.window_s}${pm('window_s')} s${second}`;
  if (c.algorithm === 'queue') return `queue: ${c.rate_per_s}${pm('rate_per_s')} per s, holds up to ${c.limit} (${(c.burst ?? 1) - 1} more without delay), refuses beyond`;
  return `unknown (${c.reason}); quota before the first 429: ${c.quota_before_first_429 ?? '-'}, success rate ${c.success_rate ?? '-'}`;
};

export type { Observation };
