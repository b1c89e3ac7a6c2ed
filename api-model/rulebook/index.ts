import type { BasisName, SeverityName } from '../../core/results.ts';
import { CONTRACTS_RULES } from './contracts.ts';
import { DRIFT_RULES } from './drift.ts';
import { LOAD_RULES } from './load.ts';
import { PROPERTIES_RULES } from './properties.ts';
import { RATE_LIMIT_RULES } from './rate-limit.ts';
import { SPEC_DIFF_RULES } from './spec-diff.ts';
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
  'rate-limit': RATE_LIMIT_RULES,
  'spec-diff': SPEC_DIFF_RULES,
  suite: SUITE_RULES,
} as const satisfies Record<string, Record<string, RuleInfo>>;

export type SuiteRuleId = keyof typeof SUITE_RULES;

// A response change means the same to a client whether the live provider made it (drift)
// or the document did (spec-diff), so the two families share those ids; one id must never
// carry two severities, and the first family's wording stands.
const FLAT: ReadonlyMap<string, RuleInfo> = (() => {
  const flat = new Map<string, RuleInfo>();
  for (const [family, rules] of Object.entries(RULE_FAMILIES)) {
    for (const [id, info] of Object.entries(rules) as Array<[string, RuleInfo]>) {
      const key = family === 'properties' ? `properties.${id}` : id;
      const before = flat.get(key);
      if (before && before.severity !== info.severity) throw new Error(`rule book: ${key} has two severities (${before.severity}, ${info.severity} in ${family})`);
      if (!before) flat.set(key, info);
    }
  }
  return flat;
})();

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
