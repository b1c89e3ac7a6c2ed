import { type CheckResult, type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { runLoadCapacity } from './capacity.ts';
import { CAPACITY_CHECKS, type LoadCheckName, PROBE_CHECKS, RECOVERY_CHECKS } from './check-ids.ts';
import { knownFrom } from './known.ts';
import type { LoadOptions } from './options.ts';
import { runLoadProbe } from './probe.ts';
import { runLoadRecovery } from './recovery.ts';
import { loadCheck } from './result.ts';

/**
 * The whole load pillar as one result (what `devrev-gate run` wants): capacity first, so
 * the recovery and probe phases start from a known state of the limiter, then recovery,
 * then the overload probe. One estimate per run: the phases after capacity judge by its
 * estimate, never by one of their own. Checks, timelines and data are merged.
 */
const PHASES: ReadonlyArray<{ checks: Record<string, LoadCheckName>; run: (ctx: RunContext, o: Partial<LoadOptions>) => Promise<PillarResult> }> = [
  { checks: CAPACITY_CHECKS, run: runLoadCapacity },
  { checks: RECOVERY_CHECKS, run: runLoadRecovery },
  { checks: PROBE_CHECKS, run: runLoadProbe },
];

export const runLoad = async (ctx: RunContext, o: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const started = new Date();
  const parts: PillarResult[] = [];
  // A phase that cannot start lists every check it holds as skipped, with the reason: the
  // set of check ids is the same on every run.
  const checksInOrder: CheckResult[] = [];
  let known: LoadOptions['known'] = o.known ?? null;
  for (const { checks, run } of PHASES) {
    const why = ctx.signal.aborted ? 'the run was stopped' : ctx.budget.remaining === 0 ? 'the request budget (--max-requests) was spent by the phases before it' : null;
    if (why) {
      for (const c of Object.values(checks)) checksInOrder.push(loadCheck(c.id, c.name, [], { undecided: { outcome: 'skipped', reason: why } }));
      continue;
    }
    const part = await run(ctx, { ...o, known });
    parts.push(part);
    checksInOrder.push(...part.checks);
    if (part.data?.capacity && !known) known = knownFrom(part.data.capacity);
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
