import type { RuleInfo } from './types.ts';

/**
 * Rules of the property pillar. A finding's id is `properties.<property>.<rule>` (the
 * property names the class of input, the rule what the answer broke); its basis is the
 * property's (status) or the rule's own.
 */
export const PROPERTIES_RULES = {
  status: { severity: 'error', reason: 'the answer has another status than the docs give for this class of input' },
  'no-5xx': { severity: 'error', basis: 'assumed', reason: 'an input crashes the provider instead of getting a 4xx' },
  'no-answer': { severity: 'error', basis: 'spec', reason: 'the provider sent no HTTP answer to a request' },
  'response-schema': { severity: 'error', basis: 'spec', reason: 'the 201 body does not match the documented envelope' },
  'error-envelope': { severity: 'error', basis: 'spec', reason: 'the error body does not match the documented error envelope' },
  echo: {
    severity: 'error',
    basis: 'assumed',
    reason: 'a created user that does not hold what was sent; no sentence of the docs promises the echo',
  },
} as const satisfies Record<string, RuleInfo>;
