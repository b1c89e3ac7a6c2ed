import type { BasisName } from '../../core/results.ts';
import type { RuleInfo } from './types.ts';

/**
 * The rate-limit rules, each with one severity, one basis and (where it compares numbers)
 * one tolerance, whichever pillar reports it: drift judges one answer at a time, load
 * judges thousands, and both call `api-model/rate-limit/` to do it.
 *
 * Bases follow DevRev's rate-limits page: the X-Ratelimit-* headers "in a request's
 * response headers" and "Retry-After ... the number of seconds left" are `prose`; the
 * OpenAPI document declares Retry-After on the 429 (`spec`); whether error answers carry
 * the X-Ratelimit-* headers, and the IETF RateLimit fields, are not documented (`assumed`,
 * so at most a warning on a real target).
 */
export interface RateLimitRuleInfo extends RuleInfo {
  /** Every rate-limit rule states its basis: the same one whichever pillar reports it. */
  basis: BasisName;
  /** Seconds a comparison allows (whole-second headers computed a moment apart). */
  toleranceS?: number;
}

export const RATE_LIMIT_RULES = {
  'rate-limit-header-missing': {
    severity: 'warning',
    basis: 'prose',
    reason: 'a success without X-Ratelimit-*: a client loses its pacing signal but every request still works',
  },
  'rate-limit-header-missing-on-error': {
    severity: 'warning',
    basis: 'assumed',
    reason: 'the docs show the headers on successes; that 4xx answers (429 included) carry them is our reading',
  },
  'rate-limit-header-invalid': {
    severity: 'error',
    basis: 'prose',
    reason: 'an X-Ratelimit-* value that is not a whole number cannot be read as units or Unix seconds',
  },
  'rate-limit-remaining-above-limit': {
    severity: 'error',
    basis: 'prose',
    reason: 'more units left than the window holds: the headers contradict each other',
  },
  'rate-limit-reset-past': {
    severity: 'error',
    basis: 'prose',
    reason: 'a window that resets in the past makes a client retry at once and be throttled again',
    toleranceS: 1,
  },
  'rate-limit-reset-in-milliseconds': {
    severity: 'error',
    basis: 'prose',
    reason: 'the rate-limits page gives X-Ratelimit-Reset "in seconds from the Unix epoch"; a value of millisecond magnitude makes a client that obeys it wait for millennia',
  },
  'rate-limit-reset-not-seconds': {
    severity: 'warning',
    basis: 'assumed',
    reason: 'a Reset more than a day ahead is no five-minute window: milliseconds instead of seconds, probably',
  },
  'rate-limit-retry-after-missing': {
    severity: 'error',
    basis: 'spec',
    reason: 'the 429 declares Retry-After; without it a client cannot tell when to come back',
  },
  'rate-limit-retry-after-not-seconds': {
    severity: 'error',
    basis: 'prose',
    reason: 'the docs give Retry-After in seconds; an HTTP-date or anything else breaks clients written to the docs',
  },
  // Both name one quantity: the document describes retry_after as "The number of seconds
  // after which the client should retry", the rate-limits page Retry-After as the seconds
  // to wait. Two documented statements of one number must agree (prose).
  'rate-limit-retry-after-mismatch': {
    severity: 'error',
    basis: 'prose',
    reason: "Retry-After and the body's retry_after disagree: both are documented as the seconds to wait, so one of them sends the client back at the wrong time",
    toleranceS: 1,
  },
  'rate-limit-retry-after-beyond-reset': {
    severity: 'error',
    basis: 'prose',
    reason: 'Retry-After is the time left in the window, so it cannot outlast X-Ratelimit-Reset',
    toleranceS: 1,
  },
  'rate-limit-reset-inconsistent': {
    severity: 'error',
    basis: 'prose',
    reason: 'for a fixed window, Reset is when the throttling ends, which is what Retry-After counts down to',
    toleranceS: 1,
  },
  'rate-limit-remaining-not-zero': {
    severity: 'error',
    basis: 'assumed',
    reason: 'a 429 while Remaining says units are left: the client was told it could send',
  },
  'rate-limit-429-body-invalid': {
    severity: 'error',
    basis: 'spec',
    reason: 'a 429 body that is not the documented too_many_requests envelope leaves a client without the error type',
  },
  'rate-limit-429-retry-after-body-missing': {
    severity: 'error',
    basis: 'assumed',
    reason: "the spec makes retry_after optional; DevRev's own client reads it",
  },
  'rate-limit-ietf-field-invalid': {
    severity: 'warning',
    basis: 'assumed',
    reason: 'a RateLimit or RateLimit-Policy field that breaks the draft syntax is ignored by clients that follow it',
  },
  'rate-limit-ietf-field-inconsistent': {
    severity: 'warning',
    basis: 'assumed',
    reason: 'the IETF fields and the X-Ratelimit-* headers of one answer tell a client different things',
    toleranceS: 1,
  },
  'rate-limit-limit-mismatch': {
    severity: 'error',
    basis: 'prose',
    reason: 'X-Ratelimit-Limit ("total units for the current window") differs from the quota the limiter enforces',
  },
  'rate-limit-policy-mismatch': {
    severity: 'warning',
    basis: 'assumed',
    reason: 'RateLimit-Policy advertises a quota or window the limiter does not enforce',
  },
  'rate-limit-remaining-rose': {
    severity: 'error',
    basis: 'prose',
    reason: 'within one window Remaining can only fall: a rise misleads a client pacing itself by it',
  },
  'rate-limit-recovered-early': {
    severity: 'error',
    basis: 'prose',
    reason: 'a fixed window throttles "until the window elapses": a success before Retry-After is over says Retry-After overstates the wait',
    toleranceS: 1,
  },
  'rate-limit-recovery-late': {
    severity: 'error',
    basis: 'prose',
    reason: 'still throttled once the advertised wait is over: clients that obey Retry-After are throttled again',
  },
  // The rate-limits page: a throttled user gets "HTTP/1.1 429 Too Many Requests" with
  // "Retry-After: 30". A 503 that stays 503 through the bounded retries breaks that promise.
  'rate-limit-503-instead-of-429': {
    severity: 'error',
    basis: 'prose',
    reason: 'the rate-limits page answers a throttled user with 429 Too Many Requests and Retry-After; a 503 instead tells a client nothing of when to come back',
  },
  'rate-limit-unfair': {
    severity: 'error',
    basis: 'prose',
    reason: 'limits apply "in aggregate to all requests made by an authenticated user": one user must not spend another\'s quota',
  },
} as const satisfies Record<string, RateLimitRuleInfo>;

export type RateLimitRuleId = keyof typeof RATE_LIMIT_RULES;
