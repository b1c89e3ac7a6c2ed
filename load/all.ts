import { INTERRUPTED } from '../core/interrupt.ts';
import { type CheckResult, type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { runLoadCapacity } from './capacity.ts';
import { CAPACITY_CHECKS, type LoadCheckName, PROBE_CHECKS, RECOVERY_CHECKS } from './check-ids.ts';
import { loadEndpoint } from './endpoint.ts';
import { knownFrom } from './known.ts';
import type { LoadOptions } from './options.ts';
import { runLoadProbe } from './probe.ts';
import { runLoadRecovery } from './recovery.ts';
import { loadCheck, unlessInterrupted } from './result.ts';
import { unlessTargetDown } from './target-down.ts';

/**
 * The whole load pillar as one result (what `devrev-gate run` wants): capacity first, so
 * the recovery and probe phases start from a known state of the limiter, then recovery,
 * then the overload probe. One estimate per run: the phases after capacity judge by its
 * estimate, never by one of their own. Checks, timelines and data are merged.
 */
const PHASES: ReadonlyArray<{ phase: string; checks: Record<string, LoadCheckName>; run: (ctx: RunContext, o: Partial<LoadOptions>) => Promise<PillarResult> }> = [
  { phase: 'load capacity', checks: CAPACITY_CHECKS, run: runLoadCapacity },
  { phase: 'load recovery', checks: RECOVERY_CHECKS, run: runLoadRecovery },
  { phase: 'load probe', checks: PROBE_CHECKS, run: runLoadProbe },
];

export const runLoad = async (ctx: RunContext, o: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const started = new Date();
  const parts: PillarResult[] = [];
  // A phase that cannot start lists every check it holds, undecided with the reason: the
  // set of check ids is the same on every run.
  const checksInOrder: CheckResult[] = [];
  const notRun = (checks: Record<string, LoadCheckName>, outcome: 'skipped' | 'inconclusive', reason: string) => {
    for (const c of Object.values(checks)) checksInOrder.push(loadCheck(c.id, c.name, [], { undecided: { outcome, reason }, endpoint: loadEndpoint(o.endpoint ?? null).spec.name }));
  };
  let known: LoadOptions['known'] = o.known ?? null;
  let down = false;
  for (const { phase, checks, run } of PHASES) {
    // A dead target gets no more phases: they would only report the same dead port.
    if (down) {
      notRun(checks, 'inconclusive', 'not run: the target stopped answering');
      continue;
    }
    const why = ctx.signal.aborted ? INTERRUPTED : ctx.budget.remaining === 0 ? 'the request budget (--max-requests) was spent by the phases before it' : null;
    if (why) {
      notRun(checks, 'skipped', why);
      continue;
    }
    const part = await unlessTargetDown(ctx, unlessInterrupted(ctx, await run(ctx, { ...o, known })), phase, o.endpoint ?? null);
    parts.push(part);
    checksInOrder.push(...part.checks);
    if (part.data?.capacity && !known) known = knownFrom(part.data.capacity);
    down = part.checks.some((c) => c.id === 'load.target');
  }
  return pillarResult(
    'load',
    started,
    parts.reduce((n, p) => n + p.requestsSent, 0),
    checksInOrder,
    Object.assign({}, ...parts.map((p) => p.data ?? {}), {
      timelines: Object.assign({}, ...parts.map((p) => p.data?.timelines ?? {})),
      limiter_used: Object.assign({}, ...parts.map((p) => p.data?.limiter_used ?? {})),
    }),
  );
};
