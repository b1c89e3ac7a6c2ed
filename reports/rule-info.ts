import { ruleInfo } from '../api-model/rulebook/index.ts';
import type { BasisName, SeverityName } from '../core/results.ts';

/**
 * What the report writers know about a rule id beyond the findings themselves: its default
 * severity, basis and the reason for its severity, from the one rule book. An id it does
 * not know gets undefined and the writers fall back to what its findings say.
 */
export interface RuleMeta {
  severity?: SeverityName;
  basis?: BasisName;
  reason?: string;
}

export const ruleMeta = (ruleId: string): RuleMeta | undefined => {
  const r = ruleInfo(ruleId);
  return r ? { severity: r.severity, reason: r.reason, ...(r.basis ? { basis: r.basis } : {}) } : undefined;
};
