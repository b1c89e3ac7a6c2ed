import { cutShort } from '../core/interrupt.ts';
import type { CheckResult, Finding, OutcomeName, PillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { loadEndpoint } from './endpoint.ts';

/**
 * A load CheckResult. A check with findings judged something: the gate decides whether it
 * fails. One without findings keeps the outcome it could not decide (skipped, inconclusive).
 */
export const loadCheck = (
  id: string,
  name: string,
  findings: Finding[],
  o: {
    undecided?: { outcome: Exclude<OutcomeName, 'pass' | 'fail'>; reason: string; notApplicable?: true } | null;
    durationMs?: number;
    /** The endpoint the check's requests went to; default the load endpoint (the first the model lists). */
    endpoint?: string;
  } = {},
): CheckResult => {
  const outcome: OutcomeName = findings.length > 0 ? 'pass' : (o.undecided?.outcome ?? 'pass');
  return {
    id,
    pillar: 'load',
    name,
    endpoint: o.endpoint ?? loadEndpoint().spec.name,
    outcome,
    durationMs: o.durationMs ?? 0,
    ...(findings.length === 0 && o.undecided ? { reason: o.undecided.reason } : {}),
    ...(findings.length === 0 && o.undecided?.notApplicable ? { notApplicable: true as const } : {}),
    findings,
  };
};

/**
 * A phase an interrupt stopped judged a cut-off stream: the requests in flight when it
 * stopped end as connection errors and the figures cover part of a window. Its checks are
 * skipped ("interrupted"), none of them a finding; what the phase measured stays in data.
 */
export const unlessInterrupted = (ctx: Pick<RunContext, 'signal'>, r: PillarResult): PillarResult =>
  ctx.signal.aborted ? { ...r, checks: r.checks.map(cutShort) } : r;

/**
 * A check that holds only for fixed windows, on a limiter found to be another algorithm:
 * it cannot apply (not a gap). With no algorithm found it is a gap: the run could not tell.
 */
export const fixedWindowOnly = (algorithm: string | null | undefined, said: string) =>
  ({ outcome: 'skipped', reason: `applies to fixed windows only; ${said}`, ...(algorithm ? { notApplicable: true as const } : {}) }) as const;
