import type { BasisName, SeverityName } from '../../core/results.ts';

/**
 * One rule of the rule book: the severity a finding of it carries, the basis it has unless
 * the finding states its own (a drift rule can be `spec` for one answer and `assumed` for
 * another), and why a client suffers when it is broken.
 */
export interface RuleInfo {
  severity: SeverityName;
  basis?: BasisName;
  reason: string;
}
