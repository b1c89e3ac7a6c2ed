import { INTERRUPTED } from '../core/interrupt.ts';
import { type CheckResult, type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { runLoadCapacity } from './capacity.ts';
import type { LoadOptions } from './options.ts';
import { runLoadProbe } from './probe.ts';
import { runLoadRecovery } from './recovery.ts';
import { loadCheck, unlessInterrupted } from './result.ts';
import { unlessTargetDown } from './target-down.ts';

/**
 * The whole load pillar as one result (what `devrev-gate run` wants): capacity first, so
 * the recovery and probe phases start from a known state of the limiter, then recovery,
 * then the overload probe. Checks, timelines and data are merged.
 */
const PHASES = [
  { id: 'load.capacity', name: 'load capacity: the limiter estimated', run: runLoadCapacity },
  { id: 'load.recovery', name: 'load recovery: throttled users recover when told, and fairly', run: runLoadRecovery },
  { id: 'load.probe', name: 'load probe: the promises of a throttled target under overload', run: runLoadProbe },
] as const;

export const runLoad = async (ctx: RunContext, o: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const started = new Date();
  const parts: PillarResult[] = [];
  // A phase that cannot start is a skipped check with its reason, not a silent absence.
  const notRun: CheckResult[] = [];
  let down = false;
  for (const { id, name, run } of PHASES) {
    // A dead target gets no more phases: they would only report the same dead port.
    if (down) {
      notRun.push(loadCheck(id, name, [], { undecided: { outcome: 'inconclusive', reason: 'not run: the target stopped answering' } }));
      continue;
    }
    const why = ctx.signal.aborted ? INTERRUPTED : ctx.budget.remaining === 0 ? 'the request budget (--max-requests) was spent by the phases before it' : null;
    if (why) notRun.push(loadCheck(id, name, [], { undecided: { outcome: 'skipped', reason: why } }));
    else parts.push(await unlessTargetDown(ctx, unlessInterrupted(ctx, await run(ctx, o)), name.split(':')[0]!));
    down = parts.at(-1)?.checks.some((c) => c.id === 'load.target') ?? false;
  }
  return pillarResult(
    'load',
    started,
    parts.reduce((n, p) => n + p.requestsSent, 0),
    [...parts.flatMap((p) => p.checks), ...notRun],
    Object.assign({}, ...parts.map((p) => p.data ?? {}), {
      timelines: Object.assign({}, ...parts.map((p) => p.data?.timelines ?? {})),
    }),
  );
};
