import type { Sample } from '../decision-times.ts';

/**
 * Limiters that punish persistence: refusals keep them refusing.
 *
 * - A counter that includes refusals: every request counts, let through or not; more than
 *   `limit` in the last `windowMs` are refused. A client that keeps sending above the
 *   limit's rate is never let through again; one that goes quiet for a window is.
 * - A lockout: after `limit` successes, the request that exceeds it locks the client out
 *   for `lockMs` (from that request), whatever it sends meanwhile; then the quota is whole
 *   again. Its throttled stretches last the same whatever the client's rate, where a fixed
 *   window's recoveries keep to the clock.
 *
 * Both are fitted on decision times and replayed (following the observed answers) like the
 * other models, so the same per-recovery score judges them.
 */
export interface RefusalCounterFit {
  algorithm: 'refusal_counter';
  limit: number;
  windowMs: number;
  /** The window lies in windowMs ± this: the shortest and longest windows that replay as well. */
  windowPmMs: number;
}

export interface LockoutFit {
  algorithm: 'lockout';
  limit: number;
  lockMs: number;
  lockPmMs: number;
}

const median = (xs: readonly number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length === 0 ? Number.NaN : a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

/** Every request counts (a refused one too): let through while fewer than `limit` arrived in the last `windowMs`. */
export const predictRefusalCounter = (s: readonly Sample[], limit: number, windowMs: number): boolean[] => {
  let head = 0;
  return s.map((x, i) => {
    while (head < i && s[head]!.t <= x.t - windowMs) head++;
    return i - head < limit;
  });
};

/**
 * Locked for `lockMs` from the request that exceeded `limit` successes; the quota is whole
 * after. Within `tolMs` of the lock's end either answer is taken as predicted (the decision
 * times are that uncertain).
 */
export const predictLockout = (s: readonly Sample[], limit: number, lockMs: number, tolMs = 0): boolean[] => {
  let used = 0;
  let lockedUntil = Number.NEGATIVE_INFINITY;
  return s.map((x) => {
    const locked = lockedUntil > Number.NEGATIVE_INFINITY;
    if (locked && x.t < lockedUntil - tolMs) return false;
    if (locked && (x.t >= lockedUntil + tolMs || x.allowed)) [lockedUntil, used] = [Number.NEGATIVE_INFINITY, 0];
    if (lockedUntil > Number.NEGATIVE_INFINITY) return x.allowed;
    const p = used < limit;
    if (x.allowed) used++;
    else lockedUntil = x.t + lockMs;
    return p;
  });
};

/** Successes between recoveries, and each throttled stretch from its first refusal to its recovery. */
const stretches = (s: readonly Sample[]) => {
  const runs: number[] = [];
  const locks: Array<{ lo: number; hi: number }> = [];
  let ok = 0;
  let firstRefusal: number | null = null;
  let lastOk: number | null = null;
  for (const x of s) {
    if (x.allowed) {
      if (firstRefusal !== null) {
        if (lastOk !== null) runs.push(ok);
        // The lock began between the last success and the first refusal; it ended by this success.
        locks.push({ lo: x.t - firstRefusal, hi: x.t - (lastOk ?? firstRefusal) });
        [ok, firstRefusal] = [0, null];
      }
      ok++;
      lastOk = x.t;
    } else if (firstRefusal === null) firstRefusal = x.t;
  }
  return { runs, locks };
};

export const fitLockout = (s: readonly Sample[]): LockoutFit | null => {
  const { runs, locks } = stretches(s);
  if (runs.length < 1 || locks.length < 2) return null;
  const limit = Math.round(median(runs));
  const lockMs = median(locks.map((l) => (l.lo + l.hi) / 2));
  const lockPmMs = Math.max(...locks.map((l) => Math.max(Math.abs(l.lo - lockMs), Math.abs(l.hi - lockMs))));
  // Locked after every single success, it admits exactly like a bucket of one token or a
  // window of one request under steady probing: not a model of its own then.
  return limit >= 2 && lockMs > 0 ? { algorithm: 'lockout', limit, lockMs, lockPmMs } : null;
};

/**
 * The limit is at least the longest run of successes (prior use, and refused probes still
 * in the window, only shorten a run), so a few above it are tried; for each, windows on a
 * log scale. The pair whose replay mispredicts fewest answers wins, with the range of
 * windows that does as well as the window's uncertainty.
 */
export const fitRefusalCounter = (s: readonly Sample[]): RefusalCounterFit | null => {
  const first429 = s.findIndex((x) => !x.allowed);
  if (first429 < 1) return null;
  let longestRun = 0;
  let run = 0;
  for (const x of s) {
    run = x.allowed ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  const span = s[s.length - 1]!.t - s[0]!.t;
  const tried: Array<{ limit: number; w: number; bad: number }> = [];
  for (let limit = longestRun; limit <= longestRun + 3; limit++) {
    for (let w = 20; w <= span; w *= 1.03) {
      const pred = predictRefusalCounter(s, limit, w);
      let bad = 0;
      for (let i = 0; i < s.length; i++) if (pred[i] !== s[i]!.allowed) bad++;
      tried.push({ limit, w, bad });
    }
  }
  if (tried.length === 0) return null;
  const best = tried.reduce((a, b) => (b.bad < a.bad ? b : a));
  const asGood = tried.filter((x) => x.limit === best.limit && x.bad <= best.bad).map((x) => x.w);
  const lo = Math.min(...asGood);
  const hi = Math.max(...asGood);
  return { algorithm: 'refusal_counter', limit: best.limit, windowMs: (lo + hi) / 2, windowPmMs: Math.max((hi - lo) / 2, best.w * 0.03) };
};

/**
 * Throttled steadily, a fixed window and a lockout both refuse from the limit-th success to
 * a recovery. What tells them apart is what stays constant as the client's pace varies: a
 * window's recoveries keep to the clock (evenly spaced), a lockout's throttled stretches
 * keep their length (from the first refusal to the recovery). Returns how far each strays
 * (max less min, ms) over the recoveries after the first throttled stretch.
 */
export const windowOrLockout = (s: readonly Sample[], recoveries: readonly number[]): { windowSpreadMs: number; lockSpreadMs: number } | null => {
  const rec: number[] = [];
  const locks: number[] = [];
  let firstRefusal: number | null = null;
  let next = 0;
  for (let i = 0; i < s.length && next < recoveries.length; i++) {
    if (i === recoveries[next]) {
      if (firstRefusal !== null) {
        rec.push(s[i]!.t);
        locks.push(s[i]!.t - firstRefusal);
      }
      firstRefusal = null;
      next++;
    } else if (!s[i]!.allowed && firstRefusal === null) firstRefusal = s[i]!.t;
    else if (s[i]!.allowed) firstRefusal = null;
  }
  if (rec.length < 3) return null;
  const n = rec.length;
  const mk = (n - 1) / 2;
  const mt = rec.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  rec.forEach((t, k) => {
    num += (k - mk) * (t - mt);
    den += (k - mk) ** 2;
  });
  const slope = num / den;
  const res = rec.map((t, k) => t - (mt + (k - mk) * slope));
  const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  return { windowSpreadMs: spread(res), lockSpreadMs: spread(locks) };
};
