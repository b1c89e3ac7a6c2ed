import type { BasisName, SeverityName } from '../core/results.ts';
import { RULES as DRIFT_RULES } from '../drift/rules.ts';
import { RULES as LOAD_RULES } from '../load/checks.ts';

/**
 * What the report writers know about a rule id beyond the findings themselves: its default
 * severity, basis and the reason for its severity. One function, so the writers follow the
 * rule book wherever it lives; an id it does not know gets undefined and the writers fall
 * back to what its findings say.
 */
export interface RuleMeta {
  severity?: SeverityName;
  basis?: BasisName;
  reason?: string;
}

const table = new Map<string, RuleMeta>();
for (const [id, r] of Object.entries(DRIFT_RULES)) table.set(id, { severity: r.severity, reason: r.reason });
for (const r of Object.values(LOAD_RULES)) if (!table.has(r.id)) table.set(r.id, { severity: r.severity, basis: r.basis });

export const ruleMeta = (ruleId: string): RuleMeta | undefined => table.get(ruleId);
