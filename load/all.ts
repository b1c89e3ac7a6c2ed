import { type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { runLoadCapacity } from './capacity.ts';
import type { LoadOptions } from './options.ts';
import { runLoadProbe } from './probe.ts';
import { runLoadRecovery } from './recovery.ts';

/**
 * The whole load pillar as one result (what `devrev-gate run` wants): capacity first, so
 * the recovery and probe phases start from a known state of the limiter, then recovery,
 * then the overload probe. Checks, timelines and data are merged.
 */
export const runLoad = async (ctx: RunContext, o: Partial<LoadOptions> = {}): Promise<PillarResult> => {
  const started = new Date();
  const parts: PillarResult[] = [];
  for (const phase of [runLoadCapacity, runLoadRecovery, runLoadProbe]) {
    if (ctx.signal.aborted || ctx.budget.remaining === 0) break;
    parts.push(await phase(ctx, o));
  }
  return pillarResult(
    'load',
    started,
    parts.reduce((n, p) => n + p.requestsSent, 0),
    parts.flatMap((p) => p.checks),
    Object.assign({}, ...parts.map((p) => p.data ?? {}), {
      timelines: Object.assign({}, ...parts.map((p) => p.data?.timelines ?? {})),
    }),
  );
};
