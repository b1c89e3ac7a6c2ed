import type { RuleInfo } from './types.ts';

/** Rules of the Pact pillar: what the consumer run and the provider verification report. */
export const CONTRACTS_RULES = {
  'consumer-interaction': {
    severity: 'error',
    basis: 'spec',
    reason: 'an interaction the SDK cannot run against the mock writes no contract for it',
  },
  'pact-status': { severity: 'error', reason: 'clients branch on the status the contract records' },
  'pact-header': { severity: 'error', reason: 'a header the contract records (Content-Type) is absent or different' },
  'pact-body': { severity: 'error', reason: 'a body value does not match the contract matcher' },
  'pact-body-missing-field': { severity: 'error', reason: 'a field the contract requires is absent from the answer' },
  'pact-body-type': { severity: 'error', reason: 'the body is not of the content type the contract records' },
  'pact-method': { severity: 'error', reason: 'the verifier could not replay the request as recorded' },
  'pact-path': { severity: 'error', reason: 'the verifier could not replay the request as recorded' },
  'pact-query': { severity: 'error', reason: 'the verifier could not replay the request as recorded' },
  'pact-metadata': { severity: 'error', reason: 'message metadata differs from the contract' },
  'pact-mismatch': { severity: 'error', reason: 'a mismatch of a kind the verifier did not name' },
  'pact-error': { severity: 'error', reason: 'the verifier could not complete the interaction' },
  'can-i-deploy': {
    severity: 'error',
    basis: 'spec',
    reason: 'the broker refuses this consumer and provider version pair: deploying would break a verified contract',
  },
} as const satisfies Record<string, RuleInfo>;
