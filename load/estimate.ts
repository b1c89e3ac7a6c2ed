import { describeModel, type LimiterModel } from '../api-model/rate-limit/models.ts';
import { decisionTimes, type Sample } from './decision-times.ts';
import { fitLockout, fitRefusalCounter, type LockoutFit, predictLockout, predictRefusalCounter, type RefusalCounterFit, windowOrLockout } from './models/persistence.ts';
import { fitQueue, type QueueFit } from './models/queue.ts';
import { hiddenTurns, type SecondLimit, secondLimitOf } from './models/second-limit.ts';
import type { Observation } from './observe.ts';

export type { Sample, SecondLimit };

/**
 * The limiter estimator. It reads only what was observed (which requests the limiter let
 * through, and when) and never the X-Ratelimit-* headers: those are compared with the
 * estimate afterwards. Both candidate algorithms are fitted, then each fit is replayed over
 * the same requests; the one that predicts the observed 429s best names the algorithm.
 *
 * Fixed window: a window's quota is the number of successes between two recoveries (a
 * success right after a 429 marks a window start); window starts lie between the last 429
 * and that success, so their spacing gives the window and their phase the offset from the
 * epoch clock. Token bucket: while throttled, each success after a 429 is a token that has
 * just become available, and those instants lie on an arithmetic progression of step
 * 1/rate whatever the burst; the burst is then the integer whose replay of the whole run
 * explains the observed answers best.
 */
export interface FixedWindowFit {
  algorithm: 'fixed_window';
  limit: number;
  limitPm: number;
  windowMs: number | null;
  windowPmMs: number | null;
  /** Where windows start on the epoch clock, modulo the window (internal: the replay needs it). */
  offsetMs: number | null;
  /** Full windows observed (their success counts gave the limit). */
  windows: number;
  mismatches: number;
}

export interface TokenBucketFit {
  algorithm: 'token_bucket';
  burst: number;
  burstPm: number;
  /** The burst was measured on a bucket known to be full; otherwise others may have spent part of it first. */
  burstMeasured?: boolean;
  ratePerS: number;
  ratePmPerS: number;
  recoveries: number;
  mismatches: number;
  /**
   * Tokens spent beyond what the line says had come, before the first recovery (from the
   * last instant the bucket was full): a bucket never lends, so more than the timing's slack
   * rules it out. A sliding-window counter does this: its first window lets the whole limit
   * through at once, then nothing until the window turns, later than the line's tokens.
   */
  overdrawn: number;
}

export interface SlidingWindowFit {
  algorithm: 'sliding_window';
  limit: number;
  windowMs: number;
  windowPmMs: number;
}

export interface ConcurrencyFit {
  algorithm: 'concurrency';
  limit: number;
}

/** How well one model explains the run, per recovery (a boundary cannot swing it). */
export interface ModelScore {
  model: LimiterModel;
  /** Recoveries (throttled, then let through) the model explains, of `of`. */
  explained: number;
  of: number;
  /** explained / of; null when there was no recovery to judge. */
  fit: number | null;
  /** Per-answer mispredictions, for the record. */
  mismatches: number;
  /** More successes before the first recovery than the model allows: no prior use explains that. */
  ruledOut: boolean;
}

export interface Estimate {
  algorithm: LimiterModel | null;
  reason: string;
  fixedWindow: FixedWindowFit | null;
  tokenBucket: TokenBucketFit | null;
  slidingWindow: SlidingWindowFit | null;
  concurrency: ConcurrencyFit | null;
  /** Shaping: throughput the target held while latency grew, requests per second. */
  shapingRatePerS: number | null;
  /** A queue that delays admitted requests before refusing (fitted on the bucket its decisions make). */
  queue: QueueFit | null;
  lockout: LockoutFit | null;
  refusalCounter: RefusalCounterFit | null;
  scores: ModelScore[];
  secondLimit: SecondLimit | null;
  /** Partial facts that hold whatever the model: successes before the first 429, and over the run. */
  quotaBeforeFirst429: number | null;
  successRate: number | null;
  /** Spread (p90 - min) of the round trips read as waiting before the decision, ms: how far a decision time can be off. */
  rttSpreadMs: number;
  samples: number;
}

/** A model fits when it explains at least this share of the recoveries. */
export const FIT_THRESHOLD = 0.8;
/** Mispredicted answers a recovery may hold and still count as explained: one boundary slips by two. */
const SLACK_PER_RECOVERY = 2;

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return 0;
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor(q * a.length))]!;
};

/** Decision times, as `decisionTimes` infers them (the capacity phases read them too). */
export const toSamples = (obs: readonly Observation[]): Sample[] => decisionTimes(obs).samples;

/** Indices of successes that follow a 429: window starts, or tokens that just became available. */
/**
 * `minGapMs`: a success less than this after the last success before its 429s is no
 * recovery: requests that close together may have reached the limiter in the other order.
 */
const recoveriesOf = (s: readonly Sample[], minGapMs = 0): number[] => {
  const out: number[] = [];
  let lastOk = Number.NEGATIVE_INFINITY;
  let lastOkHi = Number.NEGATIVE_INFINITY;
  // A recovery needs a refusal since the last success that was certainly decided after it,
  // and itself certainly after that refusal (decision bounds, where they are known to be
  // wide): otherwise they may have reached the limiter in either order (a stall).
  let refusedBy = Number.NEGATIVE_INFINITY;
  for (let i = 1; i < s.length; i++) {
    const p = s[i - 1]!;
    if (p.allowed) [lastOk, lastOkHi, refusedBy] = [p.t, p.hi ?? p.t, Number.POSITIVE_INFINITY];
    else if ((p.lo ?? p.t) >= lastOkHi) refusedBy = Math.min(refusedBy, p.hi ?? p.t);
    const x = s[i]!;
    if (x.allowed && !p.allowed && (x.lo ?? x.t) >= refusedBy && x.t - lastOk >= minGapMs) out.push(i);
  }
  return out;
};

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

const mod = (a: number, m: number) => ((a % m) + m) % m;

/** Replays a fixed window over the samples, following the observed answers (teacher forcing). */
export const replayFixedWindow = (s: readonly Sample[], limit: number, windowMs: number | null, offsetMs: number): number => {
  let mismatches = 0;
  let idx = Number.NaN;
  let used = 0;
  for (const x of s) {
    const w = windowMs === null ? 0 : Math.floor((x.t - offsetMs) / windowMs);
    if (w !== idx) {
      idx = w;
      used = 0;
    }
    if (used < limit !== x.allowed) mismatches++;
    if (x.allowed) used++;
  }
  return mismatches;
};

/**
 * Replays a token bucket whose token availability instants are the fitted line
 * a(n) = meanT + (n - meanN) / perMs (tokens 1..burst are there from the start), following
 * the observed answers. Fitting the phase from all recoveries, as the fixed window's
 * boundaries are, keeps the two replays comparable.
 */
export const replayTokenLine = (s: readonly Sample[], burst: number, line: { meanT: number; meanN: number; perMs: number }): number => {
  let mismatches = 0;
  let n = 0;
  for (const x of s) {
    const next = n + 1;
    const predicted = next <= burst || line.meanT + (next - line.meanN) / line.perMs <= x.t;
    if (predicted !== x.allowed) mismatches++;
    if (x.allowed) n++;
  }
  return mismatches;
};

/** A least-squares line y = a + b x, each point weighted (1 / squared uncertainty). */
const weightedLine = (xs: number[], ys: number[], ws: number[]) => {
  const W = ws.reduce((a, b) => a + b, 0);
  const mx = xs.reduce((a, x, i) => a + ws[i]! * x, 0) / W;
  const my = ys.reduce((a, y, i) => a + ws[i]! * y, 0) / W;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += ws[i]! * (x - mx) * (ys[i]! - my);
    den += ws[i]! * (x - mx) ** 2;
  });
  return { mx, my, slope: den === 0 ? Number.NaN : num / den };
};

/** Weight of a point known to lie in an interval of this width (ms): stalls make wide, vague points. */
const weightOf = (widthMs: number) => 1 / (widthMs * widthMs + 1);

export const fitFixedWindow = (s: readonly Sample[], minGapMs = 0): FixedWindowFit | null => {
  const firstThrottled = s.findIndex((x) => !x.allowed);
  if (firstThrottled < 0) return null;
  const rec = recoveriesOf(s, minGapMs);
  const counts: number[] = [];
  for (let k = 0; k + 1 < rec.length; k++) {
    let c = 0;
    for (let i = rec[k]!; i < rec[k + 1]!; i++) if (s[i]!.allowed) c++;
    counts.push(c);
  }
  let before = 0;
  for (let i = 0; i < firstThrottled; i++) if (s[i]!.allowed) before++;
  // Without a full window the quota is what the first window gave before its 429s.
  const limit = counts.length > 0 ? Math.round(median(counts)) : before;
  const limitPm = counts.length > 0 ? Math.max(...counts.map((c) => Math.abs(c - limit))) : Math.max(1, before - limit);
  let windowMs: number | null = null;
  let windowPmMs: number | null = null;
  let offsetMs: number | null = null;
  if (rec.length >= 2) {
    // Window start k lies in (t of the last 429, t of the recovering success].
    const lo = rec.map((i) => s[i - 1]!.t);
    const hi = rec.map((i) => s[i]!.t);
    const mid = rec.map((_, k) => (lo[k]! + hi[k]!) / 2);
    const m = rec.length - 1;
    const fit = weightedLine(
      mid.map((_, k) => k),
      mid,
      rec.map((_, k) => weightOf(hi[k]! - lo[k]!)),
    );
    const meanK = fit.mx;
    const meanT = fit.my;
    windowMs = fit.slope;
    windowPmMs = (hi[m]! - lo[0]! - (lo[m]! - hi[0]!)) / 2 / m;
    offsetMs = mod(meanT - meanK * windowMs, windowMs);
  }
  const mismatches = replayFixedWindow(s, limit, windowMs, offsetMs ?? 0);
  return { algorithm: 'fixed_window', limit, limitPm, windowMs, windowPmMs, offsetMs, windows: counts.length, mismatches };
};

/**
 * Right after a bucket lets a request through it holds less than one token, and the next
 * whole one comes within 1 / rate: a bucket refuses nothing later than that after its last
 * success. A refusal several token intervals later is something else holding the client
 * back (a longer-scale limit). A stall of the client or the server is no such sign: no
 * request is decided during it, and the tokens come back as a run of successes.
 * `from` and `to` are consecutive recoveries; `typicalGapMs` is 1 / rate as their spacing shows it.
 */
export const bucketCannotExplainGap = (s: readonly Sample[], from: number, to: number, typicalGapMs: number): boolean => {
  let lastOk = from;
  for (let i = to - 1; i >= from; i--) {
    if (s[i]!.allowed) {
      lastOk = i;
      break;
    }
  }
  return s[to - 1]!.t - s[lastOk]!.t > Math.max(1.8 * typicalGapMs, typicalGapMs + 50);
};

export const fitTokenBucket = (s: readonly Sample[], minGapMs = 0): TokenBucketFit | null => {
  const firstThrottled = s.findIndex((x) => !x.allowed);
  if (firstThrottled < 0) return null;
  const allRec = recoveriesOf(s, minGapMs).filter((i) => i > firstThrottled);
  if (allRec.length < 2) return null;
  // n-th success overall -> the instant its token became available lies in (prev 429, it].
  const nthOf = new Map<number, number>();
  let n = 0;
  const recSet = new Set(allRec);
  for (let i = 0; i < s.length; i++) {
    if (s[i]!.allowed) n++;
    if (recSet.has(i)) nthOf.set(i, n);
  }
  // A longer-scale limit stops the refills for a while: the line is fitted within the
  // stretches between such gaps, so the gap is reported, not averaged into the rate.
  const gaps = allRec.slice(1).map((i, k) => s[i]!.t - s[allRec[k]!]!.t);
  const chunks: number[][] = [[allRec[0]!]];
  allRec.slice(1).forEach((i, k) => {
    if (bucketCannotExplainGap(s, allRec[k]!, i, median(gaps))) chunks.push([]);
    chunks[chunks.length - 1]!.push(i);
  });
  const pointsOf = (c: number[]) => {
    const lo = c.map((i) => s[i - 1]!.t);
    const hi = c.map((i) => s[i]!.t);
    return { nth: c.map((i) => nthOf.get(i)!), lo, hi, mid: c.map((_, k) => (lo[k]! + hi[k]!) / 2), w: c.map((_, k) => weightOf(hi[k]! - lo[k]!)) };
  };
  const span = (c: number[]) => s[c[c.length - 1]!]!.t - s[c[0]!]!.t;
  const longest = (cs: number[][]) => cs.reduce((a, b) => (span(b) > span(a) ? b : a));
  // A first rate from the stretch that spans longest (a stall may cut a short one off the start).
  const first = pointsOf(longest(chunks));
  const perMs0 = first.nth.length >= 2 ? weightedLine(first.mid, first.nth, first.w).slope : Number.NaN;
  if (!(perMs0 > 0)) return null;
  // Tokens lost to a full bucket (the client stalled or slowed below the refill rate long
  // enough to fill it) drop every later point below the line: the stretch splits there, and
  // the rate is the slope the stretches share, each with its own start (a stall moves the
  // line, not its slope; one line through both read 144/s for 150/s, and a burst of 71 for 40).
  const split = chunks.flatMap((c) => {
    const p = pointsOf(c);
    const res = p.nth.map((y, k) => y - perMs0 * p.mid[k]!);
    const steps = res.slice(1).map((r, k) => Math.abs(r - res[k]!));
    const jump = Math.max(3, 6 * (steps.length > 0 ? median(steps) : 0));
    const out: number[][] = [[c[0]!]];
    for (let k = 1; k < c.length; k++) {
      if (res[k]! - res[k - 1]! < -jump) out.push([]);
      out[out.length - 1]!.push(c[k]!);
    }
    return out;
  });
  const rec = longest(split);
  if (rec.length < 2) return null;
  const anchor = split.find((c) => c.length >= 3) ?? rec;
  const chunkEnd = s[anchor[anchor.length - 1]!]!.t;
  let num = 0;
  let den = 0;
  for (const c of split.filter((x) => x.length >= 2)) {
    const p = pointsOf(c);
    const { mx, my } = weightedLine(p.mid, p.nth, p.w);
    p.mid.forEach((x, k) => {
      num += p.w[k]! * (x - mx) * (p.nth[k]! - my);
      den += p.w[k]! * (x - mx) ** 2;
    });
  }
  const { nth, lo, hi } = pointsOf(rec);
  // Token count against time: the slope is the refill rate per ms.
  const perMs = den > 0 ? num / den : perMs0;
  if (!(perMs > 0)) return null;
  const at = pointsOf(anchor);
  const { mx: meanT, my: meanN } = weightedLine(at.mid, at.nth, at.w);
  const ratePerS = perMs * 1000;
  const last = rec.length - 1;
  const dn = nth[last]! - nth[0]!;
  const fastest = dn / Math.max(1e-9, lo[last]! - hi[0]!);
  const slowest = dn / (hi[last]! - lo[0]!);
  const ratePmPerS = (Math.abs(fastest - slowest) / 2) * 1000;

  // The burst: the line gives how many tokens have become available by any instant; less
  // the successes decided before it, that is what the bucket held. It is full (holds the
  // burst) when the probing starts, or when a slower ramp-up stage ends, and never more.
  const line = { meanT, meanN, perMs };
  let held = Number.NEGATIVE_INFINITY;
  let consumed = 0;
  let overdrawn = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < s.length; i++) {
    const x = s[i]!;
    if (x.t > chunkEnd) break;
    const had = meanN + perMs * (x.t - meanT) - consumed;
    // Full again: what went before says nothing of what is spent from now on.
    if (had > held) [held, overdrawn] = [had, Number.NEGATIVE_INFINITY];
    if (x.allowed) consumed++;
    if (x.allowed && i < allRec[0]!) overdrawn = Math.max(overdrawn, -had + 1);
  }
  const burst = Math.max(1, Math.round(held));
  // How far the extrapolation lands from a whole token: 0 is a perfect fit, 0.5 a coin toss.
  const burstPm = Math.round(Math.abs(held - burst) * 100) / 100;
  const best = replayTokenLine(s, burst, line);
  return { algorithm: 'token_bucket', burst, burstPm, ratePerS, ratePmPerS, recoveries: allRec.length, mismatches: best, overdrawn: Math.max(0, overdrawn) };
};

/** Median run of successes after the first 429: a window's quota comes back in runs, a bucket's tokens one by one. */
const typicalThrottledRun = (s: readonly Sample[]): number => {
  const f = s.findIndex((x) => !x.allowed);
  const runs: number[] = [];
  let run = 0;
  for (let i = Math.max(0, f); i < s.length; i++) {
    if (s[i]!.allowed) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs.length === 0 ? 0 : median(runs);
};

/** A window of one request and a bucket admit alike under steady probing: not rivals once that is settled. */
/**
 * The run gives no evidence for `best` over `other`: within one recovery in twenty of it, or,
 * against a quota of one per window, any bucket that explains the run. Throttled steadily, a
 * bucket of any burst admits exactly like such a window, so what tells them apart is timing
 * noise (a bucket of 5 behind 30 ms of work lost 4 of 61 recoveries to it and was named a
 * window of one).
 */
export const isRival = (e: Pick<Estimate, 'fixedWindow'>, best: ScoredFit, other: ScoredFit): boolean =>
  (other.fitWithout ?? 0) >= (best.fitWithout ?? 0) - 0.05 ||
  (equivalentPair(e, best.model, other.model) && !other.ruledOut && (other.fitWithout ?? 0) >= FIT_THRESHOLD);

type ScoredFit = Pick<ModelScore, 'model' | 'ruledOut'> & { fitWithout: number | null };

export const equivalentPair = (e: Pick<Estimate, 'fixedWindow'>, a: LimiterModel, b: LimiterModel): boolean =>
  new Set([a, b]).size === 2 && [a, b].includes('fixed_window') && [a, b].includes('token_bucket') && e.fixedWindow?.limit === 1;

// Replays: what each model predicts for every request, following the observed answers
// (teacher forcing: an observed success spends the model's unit whatever it predicted, and
// an observed 429 says the unit was spent, by us or by anyone else of the same user).

/**
 * `tolMs`: how far a fitted window start may be off (its fit, the round-trip spread, the
 * requests' spacing). An answer that far from a start is read as the observation says:
 * a success just before the fitted start opens the next window early, a 429 just after it
 * belongs to the old one.
 */
export const predictFixedWindow = (s: readonly Sample[], limit: number, windowMs: number, offsetMs: number, tolMs = 0): boolean[] => {
  let idx = Number.NaN;
  let ok = 0;
  // An observed 429 says the window is spent, whoever spent it: from the earliest instant
  // one was certainly decided (a success that may have been decided before it is not held to it).
  let spentFrom = Number.POSITIVE_INFINITY;
  const exhausted = () => ok >= limit || spentFrom < Number.POSITIVE_INFINITY;
  const reset = (w: number) => {
    [idx, ok, spentFrom] = [w, 0, Number.POSITIVE_INFINITY];
  };
  return s.map((x) => {
    const w = Math.floor((x.t - offsetMs) / windowMs);
    if (Number.isNaN(idx) || w > idx) {
      const sinceStart = x.t - (w * windowMs + offsetMs);
      if (!(exhausted() && !x.allowed && sinceStart <= tolMs && w === idx + 1)) reset(w);
    }
    const untilNext = (idx + 1) * windowMs + offsetMs - x.t;
    if (exhausted() && x.allowed && untilNext <= tolMs) reset(idx + 1);
    const p = ok < limit && (x.lo ?? x.t) < spentFrom;
    if (x.allowed) ok++;
    else spentFrom = Math.min(spentFrom, x.hi ?? x.t);
    return p;
  });
};

export const predictSlidingWindow = (s: readonly Sample[], limit: number, windowMs: number): boolean[] => {
  const log: number[] = [];
  let head = 0;
  return s.map((x) => {
    while (head < log.length && log[head]! <= x.t - windowMs) head++;
    const p = log.length - head < limit;
    if (x.allowed) log.push(x.t);
    return p;
  });
};

/** A bucket full at the first request; an observed success while it is empty re-phases it (the token had just come). */
export const predictTokenBucket = (s: readonly Sample[], burst: number, ratePerS: number): boolean[] => {
  let tokens = burst;
  let last = s[0]?.t ?? 0;
  return s.map((x) => {
    tokens = Math.min(burst, tokens + ((x.t - last) / 1000) * ratePerS);
    last = x.t;
    const p = tokens >= 1 - 1e-9;
    // Both answers re-phase the bucket: a success spent a token, a 429 says none was whole.
    if (x.allowed) tokens = Math.max(0, tokens - 1);
    else tokens = Math.min(tokens, 1 - 1e-6);
    return p;
  });
};

export const predictConcurrency = (s: readonly Sample[], limit: number): boolean[] => s.map((x) => x.inFlight < limit);

/**
 * Scores a replay per recovery, not per answer. The run splits at each recovery (a success
 * after a 429); a part is explained when the replay mispredicts at most two of its answers
 * (one boundary slipping across a request costs two). Before the first recovery, how much
 * of the quota others (the preflight, other pillars, other clients of the user) had spent
 * is unknown, so there only a success the model forbids counts against it: no prior use
 * can turn a 429 into a success. Failing that part rules the model out.
 */
export const scoreReplay = (
  model: LimiterModel,
  s: readonly Sample[],
  pred: readonly boolean[],
  minGapMs = 0,
  firstSlack = SLACK_PER_RECOVERY,
  /** The recovery itself and the refusal before it must be predicted (models whose replay follows the answers loosely). */
  strict = false,
): ModelScore & { ruledOut: boolean; unexplained: Array<{ from: number; to: number }> } => {
  const rec = recoveriesOf(s, minGapMs);
  let mismatches = 0;
  for (let i = 0; i < s.length; i++) if (pred[i] !== s[i]!.allowed) mismatches++;
  if (rec.length === 0) return { model, explained: 0, of: 0, fit: null, mismatches, ruledOut: false, unexplained: [] };
  let firstBad = 0;
  for (let i = 0; i < rec[0]!; i++) if (!pred[i] && s[i]!.allowed) firstBad++;
  const ruledOut = firstBad > firstSlack;
  let explained = ruledOut ? 0 : 1;
  const unexplained: Array<{ from: number; to: number }> = [];
  for (let k = 0; k < rec.length; k++) {
    const from = rec[k]!;
    const to = k + 1 < rec.length ? rec[k + 1]! : s.length;
    let bad = 0;
    let refusals = 0;
    let refusalsPredicted = 0;
    for (let i = from; i < to; i++) {
      if (pred[i] !== s[i]!.allowed) bad++;
      if (!s[i]!.allowed) [refusals, refusalsPredicted] = [refusals + 1, refusalsPredicted + (pred[i] ? 0 : 1)];
    }
    // The slack forgives a slipped boundary, not a model that predicts none of the part's
    // refusals: with one refusal a part, that would explain any run at all.
    const onTime = !strict || (pred[from] === true && pred[from - 1] === false);
    if (bad <= SLACK_PER_RECOVERY && (refusals === 0 || refusalsPredicted > 0) && onTime) explained++;
    else unexplained.push({ from, to });
  }
  const of = rec.length + 1;
  return { model, explained, of, fit: ruledOut ? 0 : explained / of, mismatches, ruledOut, unexplained };
};

/**
 * A sliding log of `limit` per `windowMs`: a request refused at t means the limit-th latest
 * success was within the window; one let through after it means it had just left. So each
 * recovery bounds the window from both sides, and the right limit is the one whose bounds
 * agree; the window is the middle of what they leave.
 */
export const fitSlidingWindow = (s: readonly Sample[], spreadMs: number, minGapMs = 0): SlidingWindowFit | null => {
  const rec = recoveriesOf(s, minGapMs);
  if (rec.length < 2) return null;
  const admitted: number[] = [];
  const kOf = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    if (s[i]!.allowed) {
      kOf.set(i, admitted.length);
      admitted.push(s[i]!.t);
    }
  }
  const first429 = s.findIndex((x) => !x.allowed);
  const firstBurst = first429 < 0 ? 0 : s.slice(0, first429).filter((x) => x.allowed).length;
  // Prior use only lowers the first burst, so the limit is at least near it; twice it bounds the search.
  const maxLimit = Math.min(5000, admitted.length - 1, 2 * firstBurst + 50);
  let best: { limit: number; lo: number; hi: number; used: number; gap: number } | null = null;
  for (let limit = 1; limit <= maxLimit; limit++) {
    let lo = Number.NEGATIVE_INFINITY;
    let hi = Number.POSITIVE_INFINITY;
    let used = 0;
    for (const i of rec) {
      const k = kOf.get(i)!;
      if (k - limit < 0) continue;
      const a = admitted[k - limit]!;
      lo = Math.max(lo, s[i - 1]!.t - a);
      hi = Math.min(hi, s[i]!.t - a);
      used++;
    }
    if (used < 2) continue;
    const gap = lo - hi;
    // Bounds that agree within the round-trip spread; among those, the limit that explains most recoveries.
    if (gap <= spreadMs + 1 && (!best || used > best.used || (used === best.used && gap < best.gap))) best = { limit, lo, hi, used, gap };
  }
  if (!best) return null;
  const windowMs = (best.lo + best.hi) / 2;
  if (!(windowMs > 0)) return null;
  return { algorithm: 'sliding_window', limit: best.limit, windowMs, windowPmMs: Math.max(Math.abs(best.hi - best.lo) / 2, spreadMs / 2) };
};

/** The number in flight that best separates successes from 429s, after the first 429. */
export const fitConcurrency = (s: readonly Sample[]): ConcurrencyFit | null => {
  const f = s.findIndex((x) => !x.allowed);
  if (f < 0) return null;
  const tail = s.slice(f);
  const maxIn = tail.reduce((m, x) => Math.max(m, x.inFlight), 0);
  let best: { limit: number; right: number } | null = null;
  for (let c = 1; c <= maxIn + 1; c++) {
    let right = 0;
    for (const x of tail) if (x.inFlight < c === x.allowed) right++;
    if (!best || right > best.right) best = { limit: c, right };
  }
  return best ? { algorithm: 'concurrency', limit: best.limit } : null;
};

/** No 429 at all, but answers slowed down as the rate rose: the target queues (shapes) instead of refusing. */
const shapingRate = (obs: readonly Observation[]): number | null => {
  const answered = obs.filter((o) => o.status !== null).sort((a, b) => a.recvMs - b.recvMs);
  if (answered.length < 20) return null;
  const rtts = answered.map((o) => o.recvMs - o.sentMs);
  const minRtt = rtts.reduce((m, v) => Math.min(m, v), Number.POSITIVE_INFINITY);
  const lastFifth = rtts.slice(Math.floor(rtts.length * 0.8));
  const late = quantile(lastFifth, 0.5);
  if (!(late > Math.max(100, 10 * minRtt))) return null;
  const tail = answered.slice(Math.floor(answered.length / 2));
  const spanS = (tail[tail.length - 1]!.recvMs - tail[0]!.recvMs) / 1000;
  return spanS > 0 ? (tail.length - 1) / spanS : null;
};

/** The second limit in words, with its own figures. */
const secondLimitText = (l: SecondLimit): string => {
  const quota = l.quota === null ? 'quota unknown' : `quota ${l.quotaAtLeast ? 'at least ' : ''}${l.quota}${l.quotaPm > 0 ? ` ± ${l.quotaPm}` : ''}`;
  const win = l.windowMs === null ? 'window unknown' : `window ${Math.round(l.windowMs) / 1000} ± ${Math.round(l.windowPmMs ?? 0) / 1000} s`;
  return `a second limit over a longer scale (${quota}, ${win}) held the client throttled for ${l.throttledForS} s after ${l.successesBefore} successes: ${l.note}`;
};

/**
 * Why the first of two limits cannot be given tight figures, or null. Its figures come from
 * its own recoveries outside the second's stretches; a quota of the second no larger than
 * the first's own count (burst or quota, with its slack) means any run of successes the
 * first is credited with may have been the second's doing, so neither is named.
 */
const twoLimitsUnclear = (e: Estimate, chosen: LimiterModel, explained: number): string | null => {
  const l = e.secondLimit!;
  if (explained < 3) return `only ${explained} of its own recoveries lie outside the second's throttled stretches`;
  const tb = e.tokenBucket;
  const fw = e.fixedWindow;
  const first =
    (chosen === 'token_bucket' || chosen === 'queue') && tb
      ? { what: `a token bucket of burst ${tb.burst}, ${Math.round(tb.ratePerS * 100) / 100}/s`, count: tb.burst + tb.burstPm }
      : chosen === 'fixed_window' && fw
        ? { what: `a fixed window of ${fw.limit}${fw.windowMs ? ` per ${Math.round(fw.windowMs) / 1000} s` : ''}`, count: fw.limit + fw.limitPm }
        : null;
  if (!first) return null;
  if (l.quota === null) return `${first.what}, and a second limit whose quota the run never saw`;
  if (l.quota <= first.count + 1) return `${first.what}, or a second limit that lets ${l.quotaAtLeast ? 'at least ' : ''}${l.quota} through: the second's quota is no larger than the first's count, so either may have decided each run of successes`;
  return null;
};

/**
 * A bucket's figures beside a second limit are no tighter than the tokens its hidden window
 * turns may have cost (up to two each: a longer hold would have stood out): the rate by
 * that many tokens over the spans it was fitted on, the burst by those of the first span,
 * where the first burst was.
 */
const loosenForHiddenTurns = (s: readonly Sample[], long: ReadonlyArray<{ from: number; to: number }>, l: SecondLimit, tb: TokenBucketFit): void => {
  const spans = hiddenTurns(s, long, l);
  const lostTokens = 2 * spans.reduce((a, x) => a + x.turns, 0);
  const spanS = spans.reduce((a, x) => a + x.spanMs, 0) / 1000;
  if (lostTokens === 0 || !(spanS > 0)) return;
  tb.ratePmPerS = Math.max(tb.ratePmPerS, lostTokens / spanS);
  if (!tb.burstMeasured) tb.burstPm = Math.round((tb.burstPm + 2 * (spans[0]?.turns ?? 0)) * 100) / 100;
};

/** Period of a model (ms): how long its recoveries are apart at most. */
export const periodOf = (e: Pick<Estimate, 'algorithm' | 'fixedWindow' | 'tokenBucket' | 'slidingWindow'>): number => {
  if (e.algorithm === 'fixed_window') return e.fixedWindow?.windowMs ?? 1000;
  if (e.algorithm === 'sliding_window') return e.slidingWindow?.windowMs ?? 1000;
  if (e.algorithm === 'token_bucket') return 1000 / (e.tokenBucket?.ratePerS ?? 1);
  return 500;
};

export const estimate = (obs: readonly Observation[]): Estimate => {
  const timing = decisionTimes(obs);
  const s = timing.samples;
  const spreadMs = timing.spreadMs;
  const firstThrottled = s.findIndex((x) => !x.allowed);
  const allowedCount = s.filter((x) => x.allowed).length;
  const base = {
    fixedWindow: null as FixedWindowFit | null,
    tokenBucket: null as TokenBucketFit | null,
    slidingWindow: null as SlidingWindowFit | null,
    concurrency: null as ConcurrencyFit | null,
    shapingRatePerS: null as number | null,
    queue: null as QueueFit | null,
    lockout: null as LockoutFit | null,
    refusalCounter: null as RefusalCounterFit | null,
    scores: [] as ModelScore[],
    secondLimit: null as SecondLimit | null,
    quotaBeforeFirst429: firstThrottled < 0 ? null : s.slice(0, firstThrottled).filter((x) => x.allowed).length,
    successRate: s.length === 0 ? null : Math.round((allowedCount / s.length) * 1000) / 1000,
    rttSpreadMs: Math.round(spreadMs * 100) / 100,
    samples: s.length,
  };
  if (firstThrottled < 0) {
    const rate = shapingRate(obs);
    if (rate !== null) {
      return { ...base, algorithm: 'shaping', shapingRatePerS: Math.round(rate * 100) / 100, reason: `no 429, but answers slowed down while throughput held at ${rate.toFixed(1)}/s: the target queues requests` };
    }
    return { ...base, algorithm: null, reason: 'no request was throttled: the limit was not reached' };
  }
  const step = median(s.slice(1).map((x, i) => x.t - s[i]!.t));
  const tolMs = spreadMs + 2 * step;
  // Successes this close after the last one may have been reordered on the way: no recovery.
  // Bounded by half the typical spacing of recoveries, so a fast bucket keeps its own.
  const rawRec = recoveriesOf(s);
  const minGapMs = Math.min(tolMs, 0.5 * median(rawRec.slice(1).map((i, k) => s[i]!.t - s[rawRec[k]!]!.t)) || 0);
  const fw = fitFixedWindow(s, minGapMs);
  const tb = fitTokenBucket(s, minGapMs);
  const sl = fitSlidingWindow(s, spreadMs, minGapMs);
  const cc = fitConcurrency(s);
  const e: Estimate = { ...base, algorithm: null, reason: '', fixedWindow: fw, tokenBucket: tb, slidingWindow: sl, concurrency: cc };
  const scored: Array<ReturnType<typeof scoreReplay>> = [];
  // A window hardly longer than the tolerance of its own boundaries would explain anything.
  if (fw && fw.windowMs !== null && fw.windowMs > 4 * (tolMs + (fw.windowPmMs ?? 0))) {
    scored.push(scoreReplay('fixed_window', s, predictFixedWindow(s, fw.limit, fw.windowMs, fw.offsetMs ?? 0, tolMs + (fw.windowPmMs ?? 0)), minGapMs));
  }
  if (sl && sl.windowMs > 4 * tolMs) scored.push(scoreReplay('sliding_window', s, predictSlidingWindow(s, sl.limit, sl.windowMs), minGapMs));
  if (tb) {
    // Half a token, and what the decision times' slack is worth at the fitted rate: as many
    // successes may look early while the bucket first runs dry.
    const slack = 0.5 + (tb.ratePerS * tolMs) / 1000;
    const score = scoreReplay('token_bucket', s, predictTokenBucket(s, tb.burst, tb.ratePerS), minGapMs, SLACK_PER_RECOVERY + Math.ceil(slack));
    scored.push(tb.overdrawn > slack ? { ...score, explained: 0, fit: 0, ruledOut: true } : score);
  }
  if (cc) scored.push(scoreReplay('concurrency', s, predictConcurrency(s, cc.limit), minGapMs));
  // Limiters that punish persistence: their recoveries must come when the model says.
  const lk = fitLockout(s);
  // The lock's length is known to its spread over the run (up to a tenth of it): recoveries within that are on time.
  if (lk) scored.push(scoreReplay('lockout', s, predictLockout(s, lk.limit, lk.lockMs, tolMs + Math.min(lk.lockPmMs, 0.1 * lk.lockMs)), minGapMs, SLACK_PER_RECOVERY, true));
  const rc = fitRefusalCounter(s);
  if (rc) scored.push(scoreReplay('refusal_counter', s, predictRefusalCounter(s, rc.limit, rc.windowMs), minGapMs, SLACK_PER_RECOVERY, true));
  e.lockout = lk;
  e.refusalCounter = rc;
  e.scores = scored.map(({ model, explained, of, fit, mismatches, ruledOut }) => ({ model, explained, of, fit: fit === null ? null : Math.round(fit * 1000) / 1000, mismatches, ruledOut }));
  if (scored.length === 0 || scored.every((x) => x.of <= 1)) {
    return { ...e, reason: `throttled after ${base.quotaBeforeFirst429} successes, but no recovery observed: only the first window's quota is known` };
  }
  // A part a model leaves unexplained because it stayed throttled far longer than the
  // model's period is a second, longer-scale limit, reported as such, not averaged away.
  const withTiers = scored.map((x) => {
    const durations = recoveriesOf(s, minGapMs).map((i, k, r) => (k + 1 < r.length ? s[r[k + 1]!]!.t : s[s.length - 1]!.t) - s[i]!.t);
    const typical = median(durations);
    const long = x.unexplained.filter((u) => {
      const lastOk = (() => {
        for (let i = u.to - 1; i >= u.from; i--) if (s[i]!.allowed) return s[i]!.t;
        return s[u.from]!.t;
      })();
      const end = u.to < s.length ? s[u.to]!.t : s[s.length - 1]!.t;
      return end - lastOk > Math.max(1000, 3 * typical);
    });
    // The long stretches are the second limit's doing, not this model's failure.
    const fitWithout = x.ruledOut || long.length === 0 ? x.fit : (x.explained + long.length) / x.of;
    return { ...x, long, fitWithout };
  });
  const ranked = [...withTiers].sort((a, b) => (b.fitWithout ?? 0) - (a.fitWithout ?? 0) || a.mismatches - b.mismatches);
  const bestFit = ranked[0]!;
  const table = e.scores.map((x) => `${x.model} ${x.ruledOut ? 'ruled out' : `${x.explained}/${x.of}`}`).join(', ');
  if ((bestFit.fitWithout ?? 0) < FIT_THRESHOLD) {
    return { ...e, reason: `no model explains at least ${FIT_THRESHOLD * 100}% of the recoveries (${table})` };
  }
  // The prober went quiet (it backed off from refusals that went on past the advertised
  // wait) and the target let it through only after a silence, never while it kept asking.
  // A window, a bucket or a fixed lockout whose recoveries happened to fall in the silences
  // explains that too, but only loosely (their recoveries may lie anywhere in a silence); a
  // counter that includes refusals predicts each one at the probe after a quiet window and
  // each refusal before it. Such a run names that counter or nothing.
  const silenceMs = Math.max(300, 10 * step);
  const afterRecoveries = rawRec.filter((i) => i > firstThrottled);
  const onlyAfterSilence = afterRecoveries.length > 0 && afterRecoveries.every((i) => s[i]!.t - s[i - 1]!.t > silenceMs);
  const counter = withTiers.find((x) => x.model === 'refusal_counter');
  const counterNamed = counter === bestFit && !!rc && rc.windowPmMs <= 0.25 * rc.windowMs;
  if (onlyAfterSilence && !counterNamed) {
    return { ...e, reason: `the target let the client through only after it went quiet (${afterRecoveries.length} time(s)), never while it kept asking: no model is named from that but a counter that includes refusals, and none fits tightly (${table})` };
  }
  let chosen: LimiterModel = onlyAfterSilence ? 'refusal_counter' : bestFit.model;
  const rivals = onlyAfterSilence ? [] : ranked.filter((x) => x !== bestFit && isRival(e, bestFit, x));
  // A window and a lockout that both explain the run: the one whose constant held tighter.
  const other = chosen === 'fixed_window' ? 'lockout' : chosen === 'lockout' ? 'fixed_window' : null;
  const otherFit = withTiers.find((x) => x.model === other);
  if (other && otherFit && !otherFit.ruledOut && (otherFit.fitWithout ?? 0) >= 0.5) {
    const spread = windowOrLockout(s, rawRec);
    const margin = 3;
    const slackMs = tolMs;
    const winner = !spread
      ? null
      : spread.windowSpreadMs + slackMs < (spread.lockSpreadMs + slackMs) / margin
        ? 'fixed_window'
        : spread.lockSpreadMs + slackMs < (spread.windowSpreadMs + slackMs) / margin
          ? 'lockout'
          : null;
    if (!winner) {
      return { ...e, reason: `fixed_window and lockout explain the run equally well (${table}): its recoveries kept to the clock as closely as its throttled stretches kept their length` };
    }
    chosen = winner;
    const i = rivals.findIndex((r) => r.model === other);
    if (i >= 0) rivals.splice(i, 1);
  }
  // A queue decides like a bucket (and holds no more than its depth in flight, like a
  // concurrency limit); what names it is that the successes' answers waited as its queue says.
  e.queue = tb ? fitQueue(s, tb.burst, tb.ratePerS) : null;
  const candidates = new Set([chosen, ...rivals.map((r) => r.model)]);
  if (e.queue && candidates.has('token_bucket') && [...candidates].every((m) => m === 'token_bucket' || m === 'concurrency')) {
    chosen = 'queue';
  } else if (rivals.length > 0) {
    const pair = candidates;
    // A quota of one per window and a bucket of one token admit alike: run lengths decide.
    if (pair.size === 2 && pair.has('fixed_window') && pair.has('token_bucket')) chosen = typicalThrottledRun(s) > 1 ? 'fixed_window' : 'token_bucket';
    else return { ...e, reason: `${[...pair].join(' and ')} explain the run equally well (${table}): the traffic could not tell them apart` };
  }
  e.algorithm = chosen;
  const winner = withTiers.find((x) => x.model === (chosen === 'queue' ? 'token_bucket' : chosen))!;
  e.secondLimit = secondLimitOf(s, winner.long);
  const two = e.secondLimit ? twoLimitsUnclear(e, chosen, winner.explained) : null;
  if (e.secondLimit && two) {
    e.algorithm = null;
    e.reason = `two limits, and the run cannot give the first its figures: ${two} (${table}); ${secondLimitText(e.secondLimit)}`;
    return e;
  }
  if (e.secondLimit && tb && (chosen === 'token_bucket' || chosen === 'queue')) loosenForHiddenTurns(s, winner.long, e.secondLimit, tb);
  const q = chosen === 'queue' ? e.queue : null;
  e.reason =
    `${describeModel[chosen]} explains ${winner.explained} of ${winner.of} recoveries (${table})` +
    (q ? `; admitted answers waited as its queue says (correlation ${q.correlation}, up to ${Math.round(q.maxHoldMs)} ms)` : '') +
    (e.secondLimit ? `; ${secondLimitText(e.secondLimit)}` : '');
  return e;
};
