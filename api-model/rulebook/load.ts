import type { RuleInfo } from './types.ts';

/**
 * Rules of the load pillar's overload probe that are not about rate limiting itself (those
 * live in rate-limit.ts, shared with drift).
 */
export const LOAD_RULES = {
  'overload-5xx': {
    severity: 'error',
    basis: 'assumed',
    reason: 'past its limit a target should throttle (429), not fail (5xx)',
  },
  'overload-connection-error': {
    severity: 'error',
    basis: 'assumed',
    reason: 'past its limit a target should still answer, not time out or drop connections',
  },
  'overload-2xx-body-invalid': {
    severity: 'error',
    basis: 'spec',
    reason: 'a success under load must still be the documented 201 body',
  },
} as const satisfies Record<string, RuleInfo & { basis: NonNullable<RuleInfo['basis']> }>;

export type LoadRuleId = keyof typeof LOAD_RULES;
