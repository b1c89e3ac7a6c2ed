import type { BasisName, SeverityName } from '../../core/results.ts';
import { CONTRACTS_RULES } from './contracts.ts';
import { DRIFT_RULES } from './drift.ts';
import { LOAD_RULES } from './load.ts';
import { PROPERTIES_RULES } from './properties.ts';
import { SUITE_RULES } from './suite.ts';
import type { RuleInfo } from './types.ts';

export type { RuleInfo } from './types.ts';

/**
 * The one rule book: every rule id any pillar's findings carry, with its severity, basis
 * and why. Each family lives in its own file; this merges them and answers look-ups.
 */
export const RULE_FAMILIES = {
  contracts: CONTRACTS_RULES,
  drift: DRIFT_RULES,
  properties: PROPERTIES_RULES,
  load: LOAD_RULES,
  suite: SUITE_RULES,
} as const satisfies Record<string, Record<string, RuleInfo>>;

export type SuiteRuleId = keyof typeof SUITE_RULES;

const FLAT: ReadonlyMap<string, RuleInfo> = new Map(
  Object.entries(RULE_FAMILIES).flatMap(([family, rules]) =>
    Object.entries(rules).map(([id, info]) => [family === 'properties' ? `properties.${id}` : id, info as RuleInfo]),
  ),
);

/** Every id a finding may carry (a property's findings are `properties.<property>.<rule>`). */
export const ALL_RULE_IDS: readonly string[] = [...FLAT.keys()];

/** A property finding's id names its property; the rule book knows the rule after it. */
const bookKey = (ruleId: string): string => {
  const m = /^properties\.[^.]+\.(.+)$/.exec(ruleId);
  return m ? `properties.${m[1]}` : ruleId;
};

export const ruleInfo = (ruleId: string): RuleInfo | undefined => FLAT.get(bookKey(ruleId));

export const isKnownRule = (ruleId: string): boolean => FLAT.has(bookKey(ruleId));

export const severityOfRule = (ruleId: string, fallback: SeverityName = 'error'): SeverityName =>
  ruleInfo(ruleId)?.severity ?? fallback;

export const basisOfRule = (ruleId: string, fallback: BasisName): BasisName => ruleInfo(ruleId)?.basis ?? fallback;

/** A finding of this rule is the suite's own failure (exit 3), not the provider's. */
export const isSuiteRule = (ruleId: string): ruleId is SuiteRuleId => Object.hasOwn(SUITE_RULES, ruleId);
