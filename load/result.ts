import { type CheckResult, type Finding, type OutcomeName, outcomeOf } from '../core/results.ts';
import { LOAD_ENDPOINT } from './request.ts';

/** A load CheckResult: its outcome follows from its findings unless the check could not decide. */
export const loadCheck = (
  id: string,
  name: string,
  findings: Finding[],
  o: { undecided?: { outcome: Exclude<OutcomeName, 'pass' | 'fail'>; reason: string } | null; durationMs?: number } = {},
): CheckResult => {
  const outcome = outcomeOf(findings, 'error', o.undecided?.outcome ?? 'pass');
  return {
    id,
    pillar: 'load',
    name,
    endpoint: LOAD_ENDPOINT.name,
    outcome,
    durationMs: o.durationMs ?? 0,
    ...(outcome !== 'fail' && o.undecided ? { reason: o.undecided.reason } : {}),
    findings,
  };
};
