/**
 * The load pillar: rate-limit probing (autocannon past the limit, every 429 checked),
 * capacity estimation (an evenly paced prober and an estimator that works from observed
 * answers only) and recovery/fairness. Each entry point takes the run context and returns
 * the pillar's results. The embedded simulator it runs against when no target is given is
 * `LOAD_SIMULATOR` (simulator/options.ts): the pillar itself knows no simulator.
 */
import { gateWithDefaults } from '../api-model/gate.ts';
import type { PillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { runLoad as runAll } from './all.ts';
import { runLoadCapacity as capacity } from './capacity.ts';
import type { LoadOptions } from './options.ts';
import { runLoadProbe as probe } from './probe.ts';
import { runLoadRecovery as recovery } from './recovery.ts';
import { unlessInterrupted } from './result.ts';
import { unlessTargetDown } from './target-down.ts';

type LoadEntry = (ctx: RunContext, o?: Partial<LoadOptions>) => Promise<PillarResult>;

// Each entry point returns its result through the one gate step (defaults: --fail-on
// error, no ignore file); a session gates it again with the run's options.
// A single phase an interrupt stopped has its checks skipped; the whole pillar does that per phase.
// So does a phase whose target stopped answering (load/target-down.ts).
const gated =
  (entry: LoadEntry, phase: string | null): LoadEntry =>
  async (ctx, o = {}) => {
    const r = await entry(ctx, o);
    return gateWithDefaults(phase ? await unlessTargetDown(ctx, unlessInterrupted(ctx, r), phase, o.endpoint ?? null) : r, ctx.target);
  };

export const runLoadCapacity = gated(capacity, 'load capacity');
export const runLoadProbe = gated(probe, 'load probe');
export const runLoadRecovery = gated(recovery, 'load recovery');
export const runLoad = gated(runAll, null);
export { CAPACITY_FILE } from './capacity.ts';
export { estimate } from './estimate.ts';
export { LOAD_DEFAULTS, type LoadOptions, REMOTE_LOAD_MAX_REQUESTS, validateLoadOptions } from './options.ts';
export { DEVREV_WINDOW_S, guardLoadTarget, loadPlan } from './safety.ts';
