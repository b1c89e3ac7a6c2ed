import type { Sample } from '../decision-times.ts';

/**
 * A limit that binds over a longer scale than the one the named model describes (a bucket
 * and a window over minutes, as gateways chain them): each throttled stretch far longer
 * than the first model's period is that limit spent, and the success that ends it is its
 * window turning. Its own figures come from those stretches alone:
 * - its quota: the successes from the end of one stretch to the start of the next (one
 *   whole window of it); with a single stretch, the successes after it to the end of the
 *   run, a lower bound (its next window was never spent while we watched);
 * - its window: the spacing of the stretches' ends (each end lies between the last refusal
 *   and the success that ended it), when two or more ends bound it; else null, with why.
 */
export interface SecondLimit {
  /** The first throttled stretch the first model could not explain, seconds. */
  throttledForS: number;
  /** Successes let through from the start of probing up to that stretch. */
  successesBefore: number;
  /** The stretch began this many seconds into probing. */
  startedAtS: number;
  /** Throttled stretches of this limit seen. */
  stretches: number;
  /** Its quota: successes between two of its stretches (median), or a lower bound; null when the run ended in its only stretch. */
  quota: number | null;
  quotaPm: number;
  /** The quota is a lower bound (one stretch seen, or others may have spent part of it). */
  quotaAtLeast: boolean;
  /** Its window (the spacing of its stretches' ends), ms, and how far off it may be; null when one end was seen. */
  windowMs: number | null;
  windowPmMs: number | null;
  /** How the figures were obtained, or why one is missing. */
  note: string;
}

/** A part of the run a model left unexplained: from one recovery up to the next. */
export interface Part {
  from: number;
  to: number;
}

const lastOkIn = (s: readonly Sample[], u: Part): number => {
  for (let i = u.to - 1; i >= u.from; i--) if (s[i]!.allowed) return i;
  return u.from;
};

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

const r2 = (ms: number) => Math.round(ms / 10) / 100;

/** The second limit's figures from the long throttled stretches (parts, in run order, each ending at its recovery or the run's end). */
export const secondLimitOf = (s: readonly Sample[], long: readonly Part[]): SecondLimit | null => {
  if (long.length === 0) return null;
  const stretch = long.map((u) => {
    const lastOk = lastOkIn(s, u);
    const ended = u.to < s.length;
    return { lastOk, end: u.to, ended, ms: (ended ? s[u.to]!.t : s[s.length - 1]!.t) - s[lastOk]!.t };
  });
  const first = stretch[0]!;
  const okBetween = (from: number, to: number) => s.slice(from, to + 1).filter((x) => x.allowed).length;
  // Whole windows of it: from a stretch's end to the last success before the next stretch.
  const counts = stretch.slice(1).map((x, k) => okBetween(stretch[k]!.end, x.lastOk));
  const last = stretch[stretch.length - 1]!;
  const after = last.ended ? okBetween(last.end, s.length - 1) : 0;
  let quota: number | null;
  let quotaPm = 0;
  let quotaAtLeast: boolean;
  if (counts.length > 0) {
    const q = Math.round(median(counts));
    quota = q;
    quotaPm = Math.max(...counts.map((c) => Math.abs(c - q)));
    // A window of it partly spent when the run ended may have let more through than one seen whole: still none lower.
    quotaAtLeast = after > quota + quotaPm;
    if (quotaAtLeast) quota = after;
  } else {
    quota = last.ended ? after : null;
    quotaAtLeast = true;
  }
  // Its window turns somewhere in (the last refusal, the success that ended the stretch].
  const ends = stretch.filter((x) => x.ended).map((x) => ({ lo: s[x.end - 1]!.t, hi: s[x.end]!.t }));
  let windowMs: number | null = null;
  let windowPmMs: number | null = null;
  let why: string;
  if (ends.length >= 2) {
    const m = ends.length - 1;
    const gaps = ends.slice(1).map((x, k) => (x.lo + x.hi) / 2 - (ends[k]!.lo + ends[k]!.hi) / 2);
    windowMs = median(gaps);
    // The widest spread the bounds allow, per window, and how far the gaps disagree.
    windowPmMs = Math.max((ends[m]!.hi - ends[0]!.lo - (ends[m]!.lo - ends[0]!.hi)) / 2 / m, ...gaps.map((g) => Math.abs(g - windowMs!)));
    why = `${ends.length} of its stretches ended ${r2(windowMs)} s apart`;
  } else {
    why = ends.length === 1 ? 'its window is unknown: one of its stretches ended while probing, two are needed to time it' : 'its window is unknown: the run ended while it still held the client';
  }
  const quotaWhy =
    counts.length > 0
      ? `${counts.length} whole window(s) of it let ${counts.join(', ')} through`
      : quota !== null
        ? `its quota is at least the ${after} let through after its one stretch`
        : 'its quota is unknown: the run ended in its only stretch';
  return {
    throttledForS: r2(first.ms),
    successesBefore: s.slice(0, first.end).filter((x) => x.allowed).length,
    startedAtS: r2(s[first.lastOk]!.t - s[0]!.t),
    stretches: stretch.length,
    quota,
    quotaPm,
    quotaAtLeast,
    windowMs,
    windowPmMs,
    note: `${quotaWhy}; ${why}`,
  };
};

/**
 * Turns of the second limit's window that may have hidden in the stretches the first
 * model was fitted on: a window spent just before it turns holds the client for less than
 * the first model's own wait, no refusal stands out, yet a token or two of the first
 * limit's are lost (a bucket of 10/s read 9.8 ± 0.04 across one). Its window is at least
 * what was measured less its slack, or, unmeasured, at least its longest stretch. Returns
 * the turns that may have hidden in each stretch between the long ones, with the stretch's
 * span (ms): the first stretch's start is no turn (its phase is unknown), so one more may.
 */
export const hiddenTurns = (s: readonly Sample[], long: readonly Part[], l: SecondLimit): Array<{ spanMs: number; turns: number }> => {
  if (s.length === 0) return [];
  const stretches = long.map((u) => ({ lastOk: lastOkIn(s, u), end: u.to }));
  const longestMs = Math.max(...stretches.map((x) => (x.end < s.length ? s[x.end]!.t : s[s.length - 1]!.t) - s[x.lastOk]!.t));
  const windowLo = Math.max(1, l.windowMs !== null ? l.windowMs - (l.windowPmMs ?? 0) : longestMs);
  const out: Array<{ spanMs: number; turns: number }> = [];
  for (let k = 0; k <= stretches.length; k++) {
    const from = k === 0 ? 0 : stretches[k - 1]!.end;
    const to = k < stretches.length ? stretches[k]!.lastOk : s.length - 1;
    if (from >= s.length || to <= from) continue;
    const spanMs = s[to]!.t - s[from]!.t;
    out.push({ spanMs, turns: Math.floor(spanMs / windowLo) + (k === 0 ? 1 : 0) });
  }
  return out;
};
