/**
 * The load pillar: rate-limit probing (autocannon past the limit, every 429 checked),
 * capacity estimation (an evenly paced prober and an estimator that works from observed
 * answers only) and recovery/fairness. Each entry point takes the run context and returns
 * the pillar's results; `LOAD_SIMULATOR` is the embedded simulator the pillar runs against
 * when no target is given.
 */
export { CAPACITY_FILE, runLoadCapacity } from './capacity.ts';
export { estimate } from './estimate.ts';
export { LOAD_DEFAULTS, LOAD_SIMULATOR, type LoadOptions, REMOTE_LOAD_MAX_REQUESTS, validateLoadOptions } from './options.ts';
export { runLoadProbe } from './probe.ts';
export { runLoadRecovery } from './recovery.ts';
export { DEVREV_WINDOW_S, guardLoadTarget, loadPlan } from './safety.ts';
export { runLoad } from './all.ts';
