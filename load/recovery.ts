import { Progress } from '../core/progress.ts';
import { type CheckResult, type PillarResult, pillarResult, type TimelineBucket } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { type Algorithm, sinkFor } from './checks.ts';
import { judgedData, limiterFor } from './known.ts';
import { advertisedWaitS } from './capacity.ts';
import { buildTimeline, isThrottled, nowMs, type Observation, statusLine } from './observe.ts';
import { type LoadOptions, validateLoadOptions } from './options.ts';
import { runPacer } from './pacer.ts';
import { aboutEndpointOf, type ProbeRequestChoice, probeRequestFor } from './probe-request.ts';
import { keepCreatedBody, ledgerRecorder, requestCurl, secondTokenFor } from './request.ts';
import { fixedWindowOnly, loadCheck } from './result.ts';
import { RECOVERY_CHECKS } from './check-ids.ts';
import { preparePhase } from './safety.ts';

/**
 * `load recovery`: after a 429, does the advertised wait tell the truth? Each trial throttles
 * the token with the even prober, then keeps probing at a modest rate through the advertised
 * wait and a little beyond: for a fixed window every request decided before the wait is up
 * (less one second of rounding) must still be 429, and for both algorithms the first request
 * sent after the wait must succeed. Then fairness: a second user probing at a modest rate
 * keeps its success rate while the first one is throttled. Every request is the one `load
 * capacity` would probe with: one that creates nothing when the limiter counts it, so
 * "let through" is its documented 400; otherwise a create, whose documented 201 is.
 */
export interface Trial {
  advertisedS: number;
  actualS: number | null;
  /** Requests decided before the advertised wait that were let through (fixed window: none may). */
  earlySuccesses: number;
  /** The first of them, kept as the finding's evidence. */
  firstEarly: Observation | null;
  /**
   * Still throttled at the first request sent once the advertised wait was over, with no
   * success before it (a success earlier means the wait was over sooner; requests after it
   * may then have spent the new window's quota). null: no request was sent after the wait.
   */
  lateAfterWait: boolean | null;
  /** The first request sent once the advertised wait was over. */
  firstAfter: Observation | null;
}

/** Requests per second while waiting out a 429: dense enough to time recovery to 50 ms. */
const WAIT_RATE = 20;

/**
 * Judges one trial's observations: where the first 429 is, what it advertised, what
 * followed. `admitted`: the limiter let a request through (the documented answer of the
 * request in use).
 */
export const judgeTrial = (obs: readonly Observation[], admitted: (o: Observation) => boolean): Trial | null => {
  const sorted = [...obs].filter((o) => o.status !== null).sort((a, b) => a.sentMs - b.sentMs);
  const first429 = sorted.find(isThrottled);
  const advertised = first429 ? advertisedWaitS(first429) : null;
  if (!first429 || advertised === null) return null;
  const t429 = first429.recvMs;
  const waitEnd = t429 + advertised * 1000;
  const after = sorted.filter((o) => o.sentMs > first429.sentMs);
  const recovered = after.find(admitted);
  // Early only when certainly decided before the wait could be over: the 429 was decided
  // no sooner than it was sent, the other request no later than its answer came back (two
  // requests in flight together can straddle a window's start, the later one answered first).
  const early = after.filter((o) => admitted(o) && o.recvMs < first429.sentMs + (advertised - 1) * 1000);
  const firstAfter = after.find((o) => o.sentMs >= waitEnd) ?? null;
  return {
    advertisedS: advertised,
    actualS: recovered ? Math.round(((recovered.sentMs + recovered.recvMs) / 2 - t429)) / 1000 : null,
    earlySuccesses: early.length,
    firstEarly: early[0] ?? null,
    lateAfterWait: firstAfter ? firstAfter.status === 429 && (!recovered || recovered.sentMs > firstAfter.sentMs) : null,
    firstAfter,
  };
};

export const runLoadRecovery = async (ctx: RunContext, given: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const o = validateLoadOptions(given);
  const startedAt = new Date();
  const sentBefore = ctx.budget.sent;
  const cap = preparePhase(ctx, o, 'load recovery', o.maxDurationS * o.trials + 2 * o.fairnessS);
  const token = ctx.token ?? '';
  const choice = await probeRequestFor(ctx, o, 'load recovery', token);
  const reproduction = requestCurl(ctx, choice.request(ctx, token));
  const progress = new Progress('load recovery', { quiet: ctx.quiet });
  const record = ledgerRecorder(ctx, [choice.model]);
  const timelines: Record<string, TimelineBucket[]> = {};
  const all: Observation[] = [];
  let left = Math.max(0, cap - choice.sent);

  const trials: Trial[] = [];
  for (let i = 0; i < o.trials && !ctx.signal.aborted && left > 0; i++) {
    let first429: Observation | null = null;
    const run = await runPacer({
      url: ctx.target.url,
      // Fast until throttled, then modest: the wait only needs to be timed, not hammered.
      rate: () => (first429 ? WAIT_RATE : o.rate),
      next: () => choice.request(ctx, token),
      concurrency: o.concurrency,
      maxRequests: left,
      maxDurationMs: o.maxDurationS * 1000,
      timeoutMs: o.timeoutMs,
      signal: ctx.signal,
      checkEveryMs: 10,
      keepBody: keepCreatedBody(ctx, [choice.model]),
      onObservation: (ob) => {
        record(ob);
        if (!first429 && isThrottled(ob)) first429 = ob;
      },
      // A long advertised wait is waited out, not spent: a second of requests after the 429
      // (any success in it is early), then nothing until a second and a half before the end.
      holdUntil: () => {
        if (!first429) return null;
        const wait = advertisedWaitS(first429);
        if (wait === null || wait <= 3) return null;
        const from = first429.recvMs + 1000;
        const until = first429.recvMs + (wait - 1.5) * 1000;
        const now = nowMs();
        if (now >= from && now < until) progress.update(`trial ${i + 1}/${o.trials}: waiting out the advertised ${Math.round(wait)} s, until ${new Date(until + 1500).toISOString().slice(11, 19)} UTC`);
        return now >= from && now < until ? until : null;
      },
      stopWhen: (obs) => {
        if (!first429) return false;
        const wait = advertisedWaitS(first429) ?? 1;
        const end = first429.recvMs + wait * 1000;
        // Enough once a request sent after the wait has been answered, and recovery seen.
        return obs.some((x) => x.sentMs >= end) && obs.some((x) => x.sentMs > first429!.sentMs && choice.admitted(x));
      },
      onTick: (obs, start) => progress.update(`trial ${i + 1}/${o.trials}: ${statusLine(obs, start)}`),
    });
    left -= run.sent;
    ctx.budget.takeUpTo(run.sent);
    all.push(...run.observations);
    timelines[`recovery-${i + 1}`] = buildTimeline(run.observations, run.startMs);
    const t = judgeTrial(run.observations, choice.admitted);
    if (t) trials.push(t);
  }
  const judged = limiterFor(o, all);
  const algorithm: Algorithm = judged.algorithm;

  const early = sinkFor(ctx, RECOVERY_CHECKS.staysThrottled.id, reproduction);
  const late = sinkFor(ctx, RECOVERY_CHECKS.afterWait.id, reproduction);
  for (const t of trials) {
    if (algorithm === 'fixed_window' && t.earlySuccesses > 0) {
      const ob = t.firstEarly;
      early.add(
        'rate-limit-recovered-early',
        { status: ob?.status ?? null, pointer: '/headers/retry-after', expected: `429 until ${t.advertisedS} s (less 1 s of rounding) have passed`, actual: `let through after ${t.actualS} s`, message: `let through ${t.actualS} s after a 429 that advertised a ${t.advertisedS} s wait` },
        ob ?? undefined,
      );
    }
    if (t.lateAfterWait) {
      late.add(
        'rate-limit-recovery-late',
        { status: 429, pointer: '/headers/retry-after', expected: `let through once ${t.advertisedS} s have passed`, actual: t.actualS === null ? 'still 429' : `recovered after ${t.actualS} s`, message: `still throttled after the advertised ${t.advertisedS} s` },
        t.firstAfter ?? undefined,
      );
    }
  }
  const noTrial = trials.length === 0 ? { outcome: 'inconclusive' as const, reason: 'no 429 with a Retry-After was observed' } : null;
  // The checks are about the endpoint the requests went to.
  const on = aboutEndpointOf(choice);
  const checks: CheckResult[] = [
    loadCheck(RECOVERY_CHECKS.staysThrottled.id, RECOVERY_CHECKS.staysThrottled.name, early.findings(), {
      undecided: noTrial ?? (algorithm === 'fixed_window' ? null : fixedWindowOnly(algorithm, judged.said)),
    }),
    loadCheck(RECOVERY_CHECKS.afterWait.id, RECOVERY_CHECKS.afterWait.name, late.findings(), {
      undecided: noTrial ?? (trials.some((t) => t.lateAfterWait !== null) ? null : { outcome: 'inconclusive', reason: 'no request was sent after the advertised wait' }),
    }),
  ];

  checks.push(await fairness(ctx, o, Math.max(0, left), token, timelines, progress, choice));
  progress.done(`${trials.length} trial(s) of ${choice.label}: ${trials.map((t) => `advertised ${t.advertisedS} s, recovered after ${t.actualS ?? '-'} s`).join('; ')}`);
  return pillarResult('load', startedAt, ctx.budget.sent - sentBefore, checks.map(on), {
    timelines,
    recovery: trials.map((t) => ({ advertisedS: t.advertisedS, actualS: t.actualS })),
    limiter_used: { recovery: judgedData(judged) },
  });
};

/** Fraction of answered requests the limiter let through. */
const successRate = (obs: readonly Observation[], admitted: (o: Observation) => boolean) => {
  const answered = obs.filter((x) => x.status !== null);
  return answered.length === 0 ? null : answered.filter(admitted).length / answered.length;
};

/** Requests per second of the second user: well under any sensible per-user quota. */
export const FAIRNESS_RATE = 4;

/**
 * Fairness: the second user alone, then the same pace while the first user is driven past
 * its limit. The second user must keep at least 99% of its success rate.
 */
export const fairness = async (
  ctx: RunContext,
  o: LoadOptions,
  cap: number,
  token: string,
  timelines: Record<string, TimelineBucket[]>,
  progress: Progress | undefined,
  choice: ProbeRequestChoice,
): Promise<CheckResult> => {
  const started = Date.now();
  const { id, name } = RECOVERY_CHECKS.fairness;
  const tokenB = secondTokenFor(ctx, o.secondToken);
  if (!tokenB) return loadCheck(id, name, [], { undecided: { outcome: 'skipped', reason: 'needs a second user: pass --second-token' } });
  const perPhaseB = Math.ceil(FAIRNESS_RATE * o.fairnessS) + 1;
  if (cap < 2 * perPhaseB + 10) return loadCheck(id, name, [], { undecided: { outcome: 'skipped', reason: `request budget too small (${cap} left)` } });
  const record = ledgerRecorder(ctx, [choice.model]);
  const paceB = (maxRequests: number) =>
    runPacer({
      url: ctx.target.url,
      rate: () => FAIRNESS_RATE,
      next: () => choice.request(ctx, tokenB, 'B'),
      concurrency: o.concurrency,
      maxRequests,
      maxDurationMs: o.fairnessS * 1000,
      timeoutMs: o.timeoutMs,
      signal: ctx.signal,
      // Creates of the fallback are recorded (their ids are in the body) and removed afterwards.
      keepBody: keepCreatedBody(ctx, [choice.model]),
      onObservation: record,
    });
  const alone = await paceB(perPhaseB);
  const together = await Promise.all([
    paceB(perPhaseB),
    runPacer({
      url: ctx.target.url,
      rate: () => o.rate,
      next: () => choice.request(ctx, token, 'A'),
      concurrency: o.concurrency,
      maxRequests: cap - 2 * perPhaseB,
      maxDurationMs: o.fairnessS * 1000,
      timeoutMs: o.timeoutMs,
      signal: ctx.signal,
      // Creates of the fallback are recorded (their ids are in the body) and removed afterwards.
      keepBody: keepCreatedBody(ctx, [choice.model]),
      onObservation: record,
      onTick: (obs, start) => progress?.update(`fairness: ${statusLine(obs, start)}`),
    }),
  ]);
  const [withA, a] = together;
  ctx.budget.takeUpTo(alone.sent + withA.sent + a.sent);
  timelines['fairness-b-alone'] = buildTimeline(alone.observations, alone.startMs);
  timelines['fairness-b-with-a'] = buildTimeline(withA.observations, withA.startMs);
  timelines['fairness-a'] = buildTimeline(a.observations, a.startMs);
  const base = successRate(alone.observations, choice.admitted);
  const under = successRate(withA.observations, choice.admitted);
  const durationMs = Date.now() - started;
  if (!a.observations.some(isThrottled)) {
    return loadCheck(id, name, [], { durationMs, undecided: { outcome: 'inconclusive', reason: 'the first user was never throttled' } });
  }
  if (base === null || under === null || base === 0) {
    return loadCheck(id, name, [], { durationMs, undecided: { outcome: 'inconclusive', reason: 'the second user got no successes on its own' } });
  }
  const sink = sinkFor(ctx, id, requestCurl(ctx, choice.request(ctx, token)));
  if (under < 0.99 * base) {
    sink.add('rate-limit-unfair', {
      status: 429,
      pointer: '',
      expected: `>= ${(0.99 * base * 100).toFixed(1)}% successes`,
      actual: `${(under * 100).toFixed(1)}%`,
      message: `the second user's success rate fell from ${(base * 100).toFixed(1)}% to ${(under * 100).toFixed(1)}% while the first was throttled`,
    });
  }
  return loadCheck(id, name, sink.findings(), { durationMs });
};
