import type { ZooLimiter } from './zoo.ts';

/**
 * Zoo limiters that punish persistence (served by ./zoo.ts like the others), written from
 * the textbook description, not from the estimator's models.
 */

/** Every request counts, refused or not: at most `limit` in any `windowMs`. Retry-After: 1 (it cannot know better). */
export const refusalCounter = (limit: number, windowMs: number): ZooLimiter => {
  const log: number[] = [];
  return {
    admit(now) {
      while (log.length > 0 && log[0]! <= now - windowMs) log.shift();
      const allowed = log.length < limit;
      log.push(now);
      return { allowed, retryAfterS: 1, headers: { limit, remaining: Math.max(0, limit - log.length), resetS: Math.ceil((log[0]! + windowMs) / 1000) } };
    },
  };
};

/** `limit` successes, then the request that exceeds them locks the client out for `lockMs`; Retry-After tells the rest of the lock. */
export const lockout = (limit: number, lockMs: number): ZooLimiter => {
  let used = 0;
  let until = Number.NEGATIVE_INFINITY;
  return {
    admit(now) {
      if (now >= until && until > Number.NEGATIVE_INFINITY) [until, used] = [Number.NEGATIVE_INFINITY, 0];
      if (now < until) return { allowed: false, retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)) };
      if (used < limit) {
        used++;
        return { allowed: true };
      }
      until = now + lockMs;
      return { allowed: false, retryAfterS: Math.ceil(lockMs / 1000) };
    },
  };
};
