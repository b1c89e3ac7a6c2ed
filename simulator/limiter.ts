import type { RateLimitOptions } from './options.ts';

/**
 * Per-user rate limiters, as DevRev's rate-limits page describes them: every request of a
 * user counts, whatever the endpoint. Both take the clock as an argument so their
 * arithmetic can be tested without waiting.
 */
export interface Decision {
  allowed: boolean;
  /** X-Ratelimit-Limit: the window's quota, or a bucket's burst. */
  limit: number;
  /** X-Ratelimit-Remaining: whole units left after this request. */
  remaining: number;
  /** X-Ratelimit-Reset: epoch seconds when the quota is whole again. */
  resetS: number;
  /** Whole seconds until a request can succeed (meaningful when not allowed). */
  retryAfterS: number;
}

export interface Limiter {
  take(key: string, nowMs: number): Decision;
  /** Spends the user's remaining quota, so the next request is throttled. */
  exhaust(key: string, nowMs: number): void;
  clear(): void;
  readonly size: number;
}

/** Users tracked at once; beyond it the idle ones go first, then the oldest. */
const MAX_KEYS = 100_000;

const bounded = <V>(map: Map<string, V>, isIdle: (v: V) => boolean) => {
  if (map.size < MAX_KEYS) return;
  for (const [k, v] of map) if (isIdle(v)) map.delete(k);
  // Everyone active: forget the longest-tracked user (insertion order) rather than grow.
  while (map.size >= MAX_KEYS) {
    const first = map.keys().next();
    if (first.done) break;
    map.delete(first.value);
  }
};

const ceilS = (ms: number) => Math.ceil(ms / 1000);

/**
 * Windows start at offset + k * window on the epoch clock: DevRev's "resets every five
 * minutes" with offset 0, or a window not aligned to the clock for the capacity benchmark.
 */
export class FixedWindowLimiter implements Limiter {
  private readonly users = new Map<string, { idx: number; count: number }>();
  private readonly windowMs: number;
  private readonly offsetMs: number;

  constructor(
    private readonly limit: number,
    windowS: number,
    offsetS = 0,
  ) {
    this.windowMs = windowS * 1000;
    this.offsetMs = (offsetS * 1000) % this.windowMs;
  }

  get size() {
    return this.users.size;
  }

  private windowOf(nowMs: number) {
    const idx = Math.floor((nowMs - this.offsetMs) / this.windowMs);
    return { idx, endMs: (idx + 1) * this.windowMs + this.offsetMs };
  }

  take(key: string, nowMs: number): Decision {
    const { idx, endMs } = this.windowOf(nowMs);
    let u = this.users.get(key);
    if (!u) {
      bounded(this.users, (v) => v.idx < idx);
      u = { idx, count: 0 };
      this.users.set(key, u);
    } else if (u.idx !== idx) {
      u.idx = idx;
      u.count = 0;
    }
    const allowed = u.count < this.limit;
    if (allowed) u.count++;
    return {
      allowed,
      limit: this.limit,
      remaining: this.limit - u.count,
      resetS: ceilS(endMs),
      retryAfterS: Math.max(1, ceilS(endMs - nowMs)),
    };
  }

  exhaust(key: string, nowMs: number): void {
    this.users.set(key, { idx: this.windowOf(nowMs).idx, count: this.limit });
  }

  clear(): void {
    this.users.clear();
  }
}

/**
 * A bucket of `burst` tokens refilled at `ratePerS` (fractions allowed). DevRev documents
 * the headers for its window only; for a bucket they read: Limit = burst, Remaining = whole tokens left, Reset = when the bucket is full
 * again, Retry-After = whole seconds (rounded up) until one token is there.
 */
export class TokenBucketLimiter implements Limiter {
  private readonly users = new Map<string, { tokens: number; lastMs: number }>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {}

  get size() {
    return this.users.size;
  }

  private refill(key: string, nowMs: number) {
    let u = this.users.get(key);
    if (!u) {
      bounded(this.users, (v) => v.tokens + ((nowMs - v.lastMs) / 1000) * this.ratePerS >= this.burst);
      u = { tokens: this.burst, lastMs: nowMs };
      this.users.set(key, u);
      return u;
    }
    if (nowMs > u.lastMs) {
      u.tokens = Math.min(this.burst, u.tokens + ((nowMs - u.lastMs) / 1000) * this.ratePerS);
      u.lastMs = nowMs;
    }
    return u;
  }

  take(key: string, nowMs: number): Decision {
    const u = this.refill(key, nowMs);
    // Float residue (0.9999999 after refills) counts as the whole token it stands for,
    // the same way in the decision and in Remaining.
    const allowed = u.tokens + 1e-9 >= 1;
    if (allowed) u.tokens -= 1;
    const tokens = Math.max(0, u.tokens);
    const fullInMs = ((this.burst - tokens) / this.ratePerS) * 1000;
    const oneInMs = allowed ? 0 : ((1 - tokens) / this.ratePerS) * 1000;
    return {
      allowed,
      limit: this.burst,
      remaining: Math.floor(tokens + 1e-9),
      resetS: ceilS(nowMs + fullInMs),
      retryAfterS: Math.max(1, ceilS(oneInMs)),
    };
  }

  exhaust(key: string, nowMs: number): void {
    this.users.set(key, { tokens: 0, lastMs: nowMs });
  }

  clear(): void {
    this.users.clear();
  }
}

export const createLimiter = (rl: RateLimitOptions, windowOffsetS: number): Limiter | null => {
  if (rl === false) return null;
  return rl.algorithm === 'fixed_window'
    ? new FixedWindowLimiter(rl.limit, rl.windowS, windowOffsetS)
    : new TokenBucketLimiter(rl.ratePerS, rl.burst);
};
