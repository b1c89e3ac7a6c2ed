import type { Observation } from '../../load/observe.ts';

// Synthetic observation streams: an evenly paced client (one request every `stepMs`) against
// tiny reference limiters written here, so the estimator is tested without sockets or clocks.
// (The zoo in ./limiters/ serves the same models over HTTP for the CLI-path tests.)

/** Admitted or refused; a number means admitted but held that many ms before its answer (a queue). */
export type Limiter = (tMs: number) => boolean | number;

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

export const both = (a: Limiter, b: Limiter): Limiter => (t) => a(t) !== false && b(t) !== false;

/**
 * nginx `limit_req` without `nodelay` (ngx_http_limit_req_module's arithmetic): the excess
 * leaks at `ratePerS`; a request that would raise it above `burst` is refused and changes
 * nothing; one let through is held until the excess ahead of it has leaked (less the first
 * `delay` of it, `limit_req … delay=N`, which go through at once).
 */
export const leakyQueue = (ratePerS: number, burst: number, delay = 0): Limiter => {
  let excess: number | null = null;
  let last = 0;
  return (t) => {
    // A new key starts with no excess.
    const e = excess === null ? 0 : Math.max(0, excess - ((t - last) / 1000) * ratePerS + 1);
    if (e > burst) return false;
    [excess, last] = [e, t];
    return e <= delay ? true : ((e - delay) / ratePerS) * 1000;
  };
};

/** Every request counts, refused or not: more than `limit` in the last `windowMs` are refused. */
export const refusalCounter = (limit: number, windowMs: number): Limiter => {
  const log: number[] = [];
  return (t) => {
    while (log.length > 0 && log[0]! <= t - windowMs) log.shift();
    const ok = log.length < limit;
    log.push(t);
    return ok;
  };
};

/**
 * After `limit` successes, the request that exceeds it locks the client out for `lockMs`;
 * then the quota is whole again. `extend`: every request during the lock starts it over.
 */
export const lockout = (limit: number, lockMs: number, { extend = false } = {}): Limiter => {
  let used = 0;
  let until = Number.NEGATIVE_INFINITY;
  return (t) => {
    if (t < until) {
      if (extend) until = t + lockMs;
      return false;
    }
    if (until > Number.NEGATIVE_INFINITY) [until, used] = [Number.NEGATIVE_INFINITY, 0];
    if (used < limit) {
      used++;
      return true;
    }
    until = t + lockMs;
    return false;
  };
};

/** `load capacity`'s spacing once throttled: `rate` per s in its irregular pattern (load/capacity.ts RATE_PATTERN). */
export const prober =
  (rate: number) =>
  (elapsedMs: number): number =>
    1000 / (rate * [1, 0.5, 1.5, 0.7, 1.3, 0.6, 1.4, 1][Math.floor(elapsedMs / 150) % 8]!);

/** A seeded Park-Miller generator: the same stream every run. */
export const seeded = (seed: number) => () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

/**
 * `durationMs` of requests every `stepMs` (or as it says at each instant) from epoch `startMs`, 1 ms round trips. `workMs`:
 * successes take up to that much more after the decision (the API's own work, varying);
 * `waitMs`: every request waits up to that long before it reaches the limiter (a gateway
 * queue, jittered, so requests may reach it in another order than sent). Both seeded.
 */
export const stream = (
  limiter: Limiter,
  {
    startMs = 1_700_000_000_000,
    stepMs = 5 as number | ((elapsedMs: number) => number),
    durationMs = 8000,
    workMs = 0,
    waitMs = 0,
    seed = 1,
  } = {},
): Observation[] => {
  const random = seeded(seed);
  const sent: Array<{ sentMs: number; at: number }> = [];
  const step = typeof stepMs === 'number' ? () => stepMs : stepMs;
  for (let t = startMs; t < startMs + durationMs; t += step(t - startMs)) sent.push({ sentMs: t, at: t + 0.5 + (waitMs > 0 ? random() * waitMs : 0) });
  // The limiter decides in arrival order.
  const byArrival = [...sent].sort((a, b) => a.at - b.at);
  const answer = new Map<{ sentMs: number; at: number }, Observation>();
  for (const r of byArrival) {
    const decision = limiter(r.at);
    const allowed = decision !== false;
    const held = typeof decision === 'number' ? decision : 0;
    const work = allowed && workMs > 0 ? random() * workMs : 0;
    answer.set(r, { sentMs: r.sentMs, recvMs: r.at + 0.5 + held + work, status: allowed ? 201 : 429 });
  }
  return sent.map((r) => answer.get(r)!);
};

/**
 * Like `stream`, but closed loop as `load capacity` probes: before each request `hold` may
 * say when the next one may leave instead (the prober's backoff, given the answers so far),
 * and `onSend` hears every request that leaves. Answers come back 1 ms after the request.
 */
export const drive = (
  limiter: Limiter,
  o: {
    startMs?: number;
    stepMs: number | ((elapsedMs: number) => number);
    durationMs: number;
    hold?: (obs: readonly Observation[], nowMs: number) => number | null;
    onSend?: (nowMs: number) => void;
  },
): Observation[] => {
  const startMs = o.startMs ?? 1_700_000_000_000;
  const step = typeof o.stepMs === 'number' ? () => o.stepMs as number : o.stepMs;
  const out: Observation[] = [];
  let t = startMs;
  while (t < startMs + o.durationMs) {
    const h = o.hold?.(out, t) ?? null;
    if (h !== null && h > t) {
      t = h;
      continue;
    }
    o.onSend?.(t);
    out.push({ sentMs: t, recvMs: t + 1, status: limiter(t + 0.5) !== false ? 201 : 429 });
    t += step(t - startMs);
  }
  return out;
};

/**
 * Two tiers as gateways chain them: a token bucket, then a fixed window over a longer scale
 * (`offsetMs`: where its windows start on the epoch clock). A request the window refuses
 * has still spent the bucket's token; one the bucket refuses never reaches the window.
 */
export const bucketThenWindow = (bucket: { burst: number; ratePerS: number }, window: { limit: number; windowMs: number; offsetMs?: number }): Limiter =>
  both(tokenBucket(bucket.burst, bucket.ratePerS), fixedWindow(window.limit, window.windowMs, window.offsetMs ?? 0));
