import type { Observation } from '../../load/observe.ts';

// Synthetic observation streams: an evenly paced client (one request every `stepMs`) against
// tiny reference limiters written here, so the estimator is tested without sockets or clocks.
// (The zoo in ./limiters/ serves the same models over HTTP for the CLI-path tests.)

export type Limiter = (tMs: number) => boolean;

export const fixedWindow = (limit: number, windowMs: number, offsetMs = 0): Limiter => {
  let idx = Number.NaN;
  let used = 0;
  return (t) => {
    const w = Math.floor((t - offsetMs) / windowMs);
    if (w !== idx) [idx, used] = [w, 0];
    if (used >= limit) return false;
    used++;
    return true;
  };
};

export const tokenBucket = (burst: number, ratePerS: number): Limiter => {
  let tokens = burst;
  let last: number | null = null;
  return (t) => {
    if (last !== null) tokens = Math.min(burst, tokens + ((t - last) / 1000) * ratePerS);
    last = t;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
};

export const slidingLog = (limit: number, windowMs: number): Limiter => {
  const log: number[] = [];
  return (t) => {
    while (log.length > 0 && log[0]! <= t - windowMs) log.shift();
    if (log.length >= limit) return false;
    log.push(t);
    return true;
  };
};

/**
 * Sliding-window counter: the previous window's count weighted by how much of it still
 * overlaps. Its windows start at `turnMs` modulo `windowMs`.
 */
export const slidingCounter = (limit: number, windowMs: number, turnMs = 0): Limiter => {
  let idx = Number.NaN;
  let prev = 0;
  let cur = 0;
  return (t) => {
    const w = Math.floor((t - turnMs) / windowMs);
    if (w !== idx) [idx, prev, cur] = [w, w === idx + 1 ? cur : 0, 0];
    if (prev * (1 - (t - turnMs - w * windowMs) / windowMs) + cur >= limit) return false;
    cur++;
    return true;
  };
};

export const both = (a: Limiter, b: Limiter): Limiter => (t) => a(t) && b(t);

/** A seeded Park-Miller generator: the same stream every run. */
export const seeded = (seed: number) => () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

/** `durationMs` of requests every `stepMs` from epoch `startMs`, 1 ms round trips. */
export const stream = (limiter: Limiter, { startMs = 1_700_000_000_000, stepMs = 5, durationMs = 8000 } = {}): Observation[] => {
  const out: Observation[] = [];
  for (let t = startMs; t < startMs + durationMs; t += stepMs) {
    const allowed = limiter(t + 0.5);
    out.push({ sentMs: t, recvMs: t + 1, status: allowed ? 201 : 429 });
  }
  return out;
};
