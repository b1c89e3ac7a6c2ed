import { isAllowed, isThrottled, type Observation } from './observe.ts';

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
export interface Sample {
  /** Estimated decision time on the server. */
  t: number;
  allowed: boolean;
}

export interface FixedWindowFit {
  algorithm: 'fixed_window';
  limit: number;
  limitPm: number;
  windowMs: number | null;
  windowPmMs: number | null;
  /** Where windows start on the epoch clock, modulo the window. */
  offsetMs: number | null;
  /** Full windows observed (their success counts gave the limit). */
  windows: number;
  mismatches: number;
}

export interface TokenBucketFit {
  algorithm: 'token_bucket';
  burst: number;
  burstPm: number;
  ratePerS: number;
  ratePmPerS: number;
  recoveries: number;
  mismatches: number;
}

export interface Estimate {
  algorithm: 'fixed_window' | 'token_bucket' | null;
  reason: string;
  fixedWindow: FixedWindowFit | null;
  tokenBucket: TokenBucketFit | null;
  samples: number;
}

/**
 * The limiter decides as a request arrives, before the endpoint does its work, so a slow
 * answer (a cold start, a slow validation) says nothing about when it was decided: the
 * decision time is the send time plus half the fastest round trip seen.
 */
export const toSamples = (obs: readonly Observation[]): Sample[] => {
  const answered = obs.filter((o) => o.status !== null);
  let minRtt = Number.POSITIVE_INFINITY;
  for (const o of answered) minRtt = Math.min(minRtt, o.recvMs - o.sentMs);
  return answered
    .map((o) => ({ t: o.sentMs + minRtt / 2, allowed: isAllowed(o) && !isThrottled(o) }))
    .sort((a, b) => a.t - b.t);
};

/** Indices of successes that follow a 429: window starts, or tokens that just became available. */
const recoveriesOf = (s: readonly Sample[]): number[] => {
  const out: number[] = [];
  for (let i = 1; i < s.length; i++) if (s[i]!.allowed && !s[i - 1]!.allowed) out.push(i);
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

export const fitFixedWindow = (s: readonly Sample[]): FixedWindowFit | null => {
  const firstThrottled = s.findIndex((x) => !x.allowed);
  if (firstThrottled < 0) return null;
  const rec = recoveriesOf(s);
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

export const fitTokenBucket = (s: readonly Sample[]): TokenBucketFit | null => {
  const firstThrottled = s.findIndex((x) => !x.allowed);
  if (firstThrottled < 0) return null;
  const rec = recoveriesOf(s).filter((i) => i > firstThrottled);
  if (rec.length < 2) return null;
  // n-th success overall -> the instant its token became available lies in (prev 429, it].
  const nth: number[] = [];
  let n = 0;
  const recSet = new Set(rec);
  for (let i = 0; i < s.length; i++) {
    if (s[i]!.allowed) n++;
    if (recSet.has(i)) nth.push(n);
  }
  const lo = rec.map((i) => s[i - 1]!.t);
  const hi = rec.map((i) => s[i]!.t);
  const mid = rec.map((_, k) => (lo[k]! + hi[k]!) / 2);
  // Token count against time: the slope is the refill rate per ms.
  const fit = weightedLine(
    mid,
    nth,
    rec.map((_, k) => weightOf(hi[k]! - lo[k]!)),
  );
  const meanT = fit.mx;
  const meanN = fit.my;
  const perMs = fit.slope;
  if (!(perMs > 0)) return null;
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
  for (const x of s) {
    held = Math.max(held, meanN + perMs * (x.t - meanT) - consumed);
    if (x.allowed) consumed++;
  }
  const burst = Math.max(1, Math.round(held));
  // How far the extrapolation lands from a whole token: 0 is a perfect fit, 0.5 a coin toss.
  const burstPm = Math.round(Math.abs(held - burst) * 100) / 100;
  const best = replayTokenLine(s, burst, line);
  return { algorithm: 'token_bucket', burst, burstPm, ratePerS, ratePmPerS, recoveries: rec.length, mismatches: best };
};

/** Longest run of successes after the first 429: a window's quota, or single tokens. */
const longestThrottledRun = (s: readonly Sample[]): number => {
  const f = s.findIndex((x) => !x.allowed);
  let best = 0;
  let run = 0;
  for (let i = Math.max(0, f); i < s.length; i++) {
    run = s[i]!.allowed ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
};

export const estimate = (obs: readonly Observation[]): Estimate => {
  const s = toSamples(obs);
  const fw = fitFixedWindow(s);
  const tb = fitTokenBucket(s);
  const base = { fixedWindow: fw, tokenBucket: tb, samples: s.length };
  if (!fw) return { ...base, algorithm: null, reason: 'no request was throttled: the limit was not reached' };
  if (!tb) {
    return {
      ...base,
      algorithm: fw.windowMs === null ? null : 'fixed_window',
      reason:
        fw.windowMs === null
          ? 'throttled, but no recovery observed: only the quota of the first window is known'
          : 'successes after throttling came back only at window starts',
    };
  }
  if (fw.windowMs === null) {
    return { ...base, algorithm: 'token_bucket', reason: 'successes came back one token at a time' };
  }
  if (fw.mismatches !== tb.mismatches) {
    const algorithm = fw.mismatches < tb.mismatches ? 'fixed_window' : 'token_bucket';
    return {
      ...base,
      algorithm,
      reason: `replaying the run: fixed window mispredicts ${fw.mismatches}, token bucket ${tb.mismatches} of ${s.length} answers`,
    };
  }
  // Equal replays (a quota of one per window looks like a bucket of one): runs decide.
  const run = longestThrottledRun(s);
  return {
    ...base,
    algorithm: run > 1 ? 'fixed_window' : 'token_bucket',
    reason: `both replays mispredict ${fw.mismatches}; successes after throttling come ${run > 1 ? 'in runs' : 'one at a time'}`,
  };
};
