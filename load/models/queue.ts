import type { Sample } from '../decision-times.ts';

/**
 * A limiter that delays before it refuses (nginx `limit_req` without `nodelay`): its
 * decisions are a token bucket's (burst + 1 at once, then the rate), but what it admits
 * beyond the first `undelayed` waits in its queue until the excess ahead has leaked out at
 * the rate, and beyond the queue it refuses. So the answers of admitted requests slow down
 * in step with the bucket's excess, before the first 429 and whenever the queue fills
 * again; work after the decision that merely varies does not follow the excess.
 */
export interface QueueFit {
  algorithm: 'queue';
  ratePerS: number;
  /** Requests it holds in its queue at most (nginx `burst` less `delay`). */
  depth: number;
  /** Excess let through at once before the queue (nginx `delay=`; 0 without it). */
  undelayed: number;
  /** How closely the held times follow the excess: correlation of predicted and observed. */
  correlation: number;
  /** Longest hold the queue imposed, ms (what a client waits at most). */
  maxHoldMs: number;
}

/** A queue this short in time is indistinguishable from the answers' own spread. */
const MIN_HOLD_MS = 50;
const MIN_CORRELATION = 0.8;

const correlation = (a: readonly number[], b: readonly number[]) => {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
};

/** The bucket's excess (requests ahead in the queue, nginx's arithmetic) at each success, replayed over the decisions. */
export const excessAtSuccesses = (s: readonly Sample[], burst: number, ratePerS: number): number[] => {
  let excess: number | null = null;
  let last = 0;
  const out: number[] = [];
  for (const x of s) {
    if (!x.allowed) continue;
    const e: number = excess === null ? 0 : Math.min(burst - 1, Math.max(0, excess - ((x.t - last) / 1000) * ratePerS + 1));
    [excess, last] = [e, x.t];
    out.push(e);
  }
  return out;
};

/**
 * Fits a queue on top of a fitted bucket (`burst` admitted at once, `ratePerS`): the
 * undelayed share is the one whose predicted holds best match the successes' extra round
 * trip; a queue is named only when the holds are long enough to see and the answers follow them.
 */
export const fitQueue = (s: readonly Sample[], burst: number, ratePerS: number): QueueFit | null => {
  const ok = s.filter((x) => x.allowed);
  if (burst < 2 || ok.length < 2 * burst || !(ratePerS > 0) || ok.some((x) => x.rttMs === undefined)) return null;
  const minRtt = ok.reduce((m, x) => Math.min(m, x.rttMs!), Number.POSITIVE_INFINITY);
  const extra = ok.map((x) => x.rttMs! - minRtt);
  const excess = excessAtSuccesses(s, burst, ratePerS);
  let best: QueueFit | null = null;
  let bestErr = Number.POSITIVE_INFINITY;
  for (let undelayed = 0; undelayed < burst - 1; undelayed++) {
    const held = excess.map((e) => (Math.max(0, e - undelayed) / ratePerS) * 1000);
    const maxHoldMs = held.reduce((m, v) => Math.max(m, v), 0);
    if (maxHoldMs < MIN_HOLD_MS) continue;
    const err = held.reduce((a, h, i) => a + Math.abs(h - extra[i]!), 0) / held.length;
    if (err < bestErr) {
      bestErr = err;
      best = { algorithm: 'queue', ratePerS, depth: burst - 1 - undelayed, undelayed, correlation: correlation(held, extra), maxHoldMs };
    }
  }
  return best && best.correlation >= MIN_CORRELATION ? { ...best, correlation: Math.round(best.correlation * 1000) / 1000 } : null;
};
