/**
 * Every check of the load pillar, per phase, in one place: a phase emits each of its
 * checks on every run (one that cannot apply is `skipped` with the reason, never absent),
 * and a phase that cannot start lists them all as skipped, so the set of check ids (and
 * JUnit's and CTRF's test lists) is the same on every run.
 */
export interface LoadCheckName {
  id: string;
  name: string;
}

const check = (id: string, name: string): LoadCheckName => ({ id, name });

export const CAPACITY_CHECKS = {
  estimate: check('load.capacity.estimate', 'the limiter is identified from observed answers (algorithm and parameters)'),
  advertisedLimit: check('load.capacity.advertised-limit', 'X-Ratelimit-Limit (and RateLimit-Policy, when sent) match the observed quota or burst'),
  overload: check('load.capacity.overload', 'no 5xx, timeouts or connection errors while probing capacity'),
} as const;

export const RECOVERY_CHECKS = {
  staysThrottled: check('load.recovery.stays-throttled', 'requests before the advertised wait stay 429 (fixed window)'),
  afterWait: check('load.recovery.after-wait', 'the first request after the advertised wait succeeds'),
  fairness: check('load.recovery.fairness', 'while one user is throttled, another keeps >= 99% of its success rate'),
} as const;

export const PROBE_CHECKS = {
  throttled: check('load.probe.throttled', 'the target throttles past its limit'),
  body429: check('load.probe.429-body', 'every 429 body is too_many_requests with an integer retry_after'),
  retryAfter: check('load.probe.retry-after', 'Retry-After is whole seconds and equals retry_after'),
  headers: check('load.probe.rate-limit-headers', 'X-Ratelimit-* on every answer; Remaining 0 when throttled; Reset ahead and matching Retry-After'),
  remainingMonotonic: check('load.probe.remaining-monotonic', 'X-Ratelimit-Remaining never rises within a window'),
  overload: check('load.probe.overload', 'no 5xx, timeouts or connection errors under overload'),
  sampled2xx: check('load.probe.sampled-2xx', 'successes sampled under load are the documented 201 body'),
} as const;
