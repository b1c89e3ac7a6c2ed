import type { RuleInfo } from './types.ts';

/**
 * Rules of the load pillar other than the rate-limit header and body rules (those live in
 * rate-limit.ts, shared with drift): overload behaviour, the advertised limit against the
 * estimate, recovery and fairness.
 */
export const LOAD_RULES = {
  'overload-5xx': { severity: 'error', basis: 'assumed', reason: 'overload must be answered with 429, not a server error' },
  'overload-connection-error': {
    severity: 'error',
    basis: 'assumed',
    reason: 'a throttled provider still answers; dropped connections leave clients with no Retry-After',
  },
  'overload-2xx-body-invalid': { severity: 'error', basis: 'spec', reason: 'a success under load must still be the documented 201 body' },
  'rate-limit-limit-mismatch': {
    severity: 'error',
    basis: 'prose',
    reason: 'X-Ratelimit-Limit disagrees with the limit the estimator observed: clients pace by it',
  },
  'rate-limit-recovered-early': {
    severity: 'error',
    basis: 'prose',
    reason: 'a success long before the advertised wait: the advertised wait is not the truth',
  },
  'rate-limit-recovery-late': {
    severity: 'error',
    basis: 'prose',
    reason: 'still throttled after the advertised wait: a client that obeys Retry-After is refused again',
  },
  'rate-limit-unfair': {
    severity: 'error',
    basis: 'prose',
    reason: 'limits are per user: one user past its limit must not throttle another',
  },
} as const satisfies Record<string, RuleInfo>;
