import type { RuleInfo } from './types.ts';

/**
 * Failures of devrev-gate itself, never of the provider: a finding of one of these rules
 * makes the run exit 3 (EXIT.SUITE), whatever else it found, because its other results
 * cannot be trusted as they stand.
 */
export const SUITE_RULES = {
  'suite-case-mislabelled': {
    severity: 'error',
    reason: 'a generated case is labelled otherwise than the request oracle judges it: a generator bug',
  },
  'suite-class-never-generated': {
    severity: 'error',
    reason: 'a generator class was never produced although the run was not cut short: a generator bug',
  },
  'suite-internal-error': {
    severity: 'error',
    reason: 'the suite failed with an error that is not about the provider: a bug to report',
  },
} as const satisfies Record<string, RuleInfo>;
