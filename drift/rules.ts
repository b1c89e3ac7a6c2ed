import { answerRules } from '../api-model/rate-limit/answer.ts';
import type { SeverityName } from '../core/results.ts';

/**
 * The one table of drift rules: id → severity → reason. Ids follow oasdiff's naming so a
 * reader who knows oasdiff reads them at sight; the difference is that these compare the
 * live provider with the pinned documents, not two documents with each other.
 *
 * A finding's severity comes from here and nowhere else, then `capForBasis` lowers it to
 * `warning` when the rule's basis for that answer is `assumed` and the target is real.
 */
export interface RuleInfo {
  severity: SeverityName;
  /** Why this severity: what a client written against the docs suffers. */
  reason: string;
}

export const RULES = {
  'response-status-undocumented': {
    severity: 'error',
    reason: 'the endpoint does not list this status, so no client has a branch for it',
  },
  'response-status-changed': {
    severity: 'error',
    reason: 'clients branch on the status: a documented request got another answer than the docs give for it',
  },
  'response-content-type-changed': {
    severity: 'error',
    reason: 'every documented answer is application/json; clients decode by it',
  },
  'error-body-undocumented': {
    severity: 'error',
    reason: 'an error body that is not the documented JSON envelope leaves a client without the error `type`',
  },
  'response-required-property-missing': {
    severity: 'error',
    reason: 'a property the docs require is absent; a client reading it gets undefined',
  },
  'response-property-became-nullable': {
    severity: 'error',
    reason: 'null where the docs never allow it crashes clients that dereference the value',
  },
  'response-property-type-changed': {
    severity: 'error',
    reason: 'a value of another JSON type fails typed decoders and generated SDK models',
  },
  'response-discriminator-unknown': {
    severity: 'error',
    reason: 'a `type` outside the documented variants leaves a client no variant to decode into',
  },
  'response-enum-value-unknown': {
    severity: 'error',
    reason: 'the documented enums are closed (no extensible marker); exhaustive client switches fall through',
  },
  'response-property-format-changed': {
    severity: 'error',
    reason: 'right JSON type, wrong format (date-time, int32/int64): date and number parsing in clients fails',
  },
  // The per-answer rate-limit rules, shared with the load pillar: one severity each, from the rule book.
  ...answerRules(),
  'baseline-property-removed': {
    severity: 'warning',
    reason: 'a property seen in the recorded baseline is gone; undocumented ones are no contract, but clients may rely on them',
  },
  'baseline-property-type-changed': {
    severity: 'warning',
    reason: 'a property seen in the recorded baseline now has another JSON type',
  },
  'response-property-added': {
    severity: 'info',
    reason: 'an undocumented property: tolerant readers ignore it, but the docs no longer describe the answer',
  },
  'ignore-entry-expired': {
    severity: 'error',
    reason: 'an ignore entry past its expiry date must be renewed or removed, or old drift hides for good',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export const isRuleId = (id: string): id is RuleId => Object.hasOwn(RULES, id);

export const severityOf = (rule: RuleId): SeverityName => RULES[rule].severity;

const severityRank: Record<SeverityName, number> = { error: 2, warning: 1, info: 0 };

// Among rules of equal severity, the more specific reading of a value first: a missing
// value is not "of the wrong type", null is not just "another type", a wrong type makes
// any enum or format complaint about the same value moot.
const PRECEDENCE: RuleId[] = [
  'error-body-undocumented',
  'response-required-property-missing',
  'response-property-became-nullable',
  'response-property-type-changed',
  'response-discriminator-unknown',
  'response-enum-value-unknown',
  'response-property-format-changed',
  'response-property-added',
];

/**
 * Orders two readings of one value: negative when `a` wins. The stricter severity wins
 * (a missed break is worse than a false alarm), then the more specific rule.
 */
export const compareRules = (a: RuleId, b: RuleId): number => {
  const bySeverity = severityRank[severityOf(b)] - severityRank[severityOf(a)];
  if (bySeverity !== 0) return bySeverity;
  const ia = PRECEDENCE.indexOf(a);
  const ib = PRECEDENCE.indexOf(b);
  return (ia < 0 ? PRECEDENCE.length : ia) - (ib < 0 ? PRECEDENCE.length : ib);
};
