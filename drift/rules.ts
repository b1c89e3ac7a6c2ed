import { answerRules } from '../api-model/rate-limit/answer.ts';
import type { SeverityName } from '../core/results.ts';
import { DRIFT_RULES } from '../api-model/rulebook/drift.ts';

/**
 * The drift family of the rule book, under the names the drift code has always used, with
 * the per-answer rate-limit rules it shares with the load pillar (one severity each).
 */
export const RULES = { ...DRIFT_RULES, ...answerRules() };

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
