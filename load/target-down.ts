import { targetDownCheck } from '../core/evidence.ts';
import { HttpClient } from '../core/http.ts';
import type { CheckResult, PillarResult, TimelineBucket } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { stillAnswers } from '../api-model/endpoints/still-answers.ts';
import { loadEndpoint } from './endpoint.ts';
import { loadCurl } from './request.ts';

/** Findings that only say a request got no answer: a dead target's, not the limiter's. */
const NO_ANSWER_RULES = new Set(['overload-connection-error']);

/** The last interval of a timeline that saw traffic. */
const lastActive = (t: TimelineBucket[]): TimelineBucket | undefined =>
  [...t].reverse().find((b) => b.s2xx + b.s429 + b.s5xx + b.other + b.errors > 0);

/**
 * A load phase whose traffic ended in connection errors or timeouts may have met a target
 * that died. One harmless request decides: when it gets no answer either, the phase's one
 * finding is the target's death (and the session sends nothing more), no-answer findings
 * are dropped, and the checks it left undecided are inconclusive naming the cause, so a
 * dead target is never a pass. Findings judged from real answers before it stay.
 */
export const unlessTargetDown = async (ctx: RunContext, r: PillarResult, phase: string, endpoint: string | null = null): Promise<PillarResult> => {
  if (ctx.signal.aborted) return r;
  const ends = Object.values(r.data?.timelines ?? {}).map(lastActive);
  if (!ends.some((b) => b && b.errors > 0)) return r;
  if (await stillAnswers(new HttpClient(ctx), 0)) return r;
  const checks = r.checks.map((c): CheckResult => {
    const findings = c.findings.filter((f) => !NO_ANSWER_RULES.has(f.ruleId));
    return findings.length > 0 || c.outcome === 'skipped'
      ? { ...c, findings }
      : { ...c, outcome: 'inconclusive', reason: 'not judged: the target stopped answering', findings: [] };
  });
  const down = targetDownCheck({
    pillar: 'load',
    endpoint: loadEndpoint(endpoint).spec.name,
    where: `during ${phase}`,
    failure: 'its last requests got no answer (connection errors or timeouts)',
    reproduction: loadCurl(ctx, ctx.token ?? '', endpoint),
  });
  return { ...r, checks: [...checks, down] };
};
