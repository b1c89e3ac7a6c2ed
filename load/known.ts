import { LIMITER_MODELS, type LimiterModel } from '../api-model/rate-limit/models.ts';
import type { CapacityEstimate } from '../core/results.ts';
import type { Algorithm } from './checks.ts';
import { estimate } from './estimate.ts';
import type { Observation } from './observe.ts';
import type { KnownLimiter, LoadOptions } from './options.ts';

/**
 * Which limiter the checks that hold for one algorithm only (fixed windows) judge by, and
 * how the results say where that came from: --algorithm when given, else the capacity
 * phase's estimate when this run made one, else an estimate from the phase's own traffic.
 * One load run has one estimate: recovery and probe never re-estimate after capacity.
 */
export interface JudgedLimiter {
  algorithm: Algorithm;
  windowMs: number | null;
  /** "the capacity phase found …", for the reason of a check that does not apply. */
  said: string;
  /** Where the algorithm came from; the phase saves it with its data. */
  source: 'capacity' | 'algorithm option' | 'own estimate';
}

export const limiterFor = (o: Pick<LoadOptions, 'algorithm' | 'known'>, obs: readonly Observation[]): JudgedLimiter => {
  if (o.known) {
    const found = `the capacity phase found ${o.known.algorithm ?? 'no algorithm'} (${o.known.reason})`;
    if (o.algorithm === 'auto') return { algorithm: o.known.algorithm, windowMs: o.known.windowMs, said: found, source: 'capacity' };
    return { algorithm: o.algorithm, windowMs: o.known.algorithm === o.algorithm ? o.known.windowMs : null, said: `--algorithm ${o.algorithm}`, source: 'algorithm option' };
  }
  const e = estimate(obs);
  const windowMs = e.fixedWindow?.windowMs ?? null;
  if (o.algorithm !== 'auto') return { algorithm: o.algorithm, windowMs, said: `--algorithm ${o.algorithm}`, source: 'algorithm option' };
  return { algorithm: e.algorithm, windowMs: e.algorithm === 'fixed_window' ? windowMs : null, said: `the estimator found ${e.algorithm ?? 'no algorithm'} (${e.reason})`, source: 'own estimate' };
};

/** The saved capacity estimate as the phases after it use it. */
export const knownFrom = (c: CapacityEstimate): KnownLimiter => ({
  algorithm: (LIMITER_MODELS as readonly (string | null)[]).includes(c.algorithm) ? (c.algorithm as LimiterModel) : null,
  windowMs: c.algorithm === 'fixed_window' && c.window_s !== null ? c.window_s * 1000 : null,
  reason: c.reason ?? '',
});

/** What a phase saves about the limiter it judged by. */
export const judgedData = (j: JudgedLimiter) => ({ algorithm: j.algorithm, source: j.source });
