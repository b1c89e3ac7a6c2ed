import type { CapacityEstimate } from '../core/results.ts';

/**
 * What a capacity estimate says, in words, for every limiter model the results can hold
 * (and for none): the report reads only the saved estimate, never the load engine.
 */

const num = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? '?' : Number.isInteger(n) ? String(n) : n.toFixed(digits));

const modelName = (model: string) => model.replace(/_/g, ' ');

/** The model that explained the largest share of recoveries, when any explained some. */
const closest = (cap: CapacityEstimate): { model: string; fit: number } | null => {
  let best: { model: string; fit: number } | null = null;
  for (const x of cap.fit ?? []) if (x.fit !== null && x.fit > 0 && (!best || x.fit > best.fit)) best = { model: x.model, fit: x.fit };
  return best;
};

/** A second, longer-scale limit with its own figures (quota, window), or nothing. */
export const secondLimitText = (cap: Pick<CapacityEstimate, 'second_limit'>): string => {
  const l = cap.second_limit;
  if (!l) return '';
  const figures: string[] = [];
  if (l.quota !== undefined) figures.push(l.quota === null ? 'quota unknown' : `quota ${atLeast(l.quota_at_least)}${num(l.quota)}${l.quota_pm ? ` ± ${num(l.quota_pm)}` : ''}`);
  if (l.window_s !== undefined) figures.push(l.window_s === null ? 'window unknown' : `window ${num(l.window_s)}${l.window_pm_s ? ` ± ${num(l.window_pm_s)}` : ''} s`);
  figures.push(`throttled for ${num(l.throttled_for_s)} s after ${l.successes_before} successes`);
  return `; and a second, longer-scale limit (${figures.join(', ')})`;
};


/** Requests the estimate cost against the fewest that could establish its answer. */
export const spendText = (cap: Pick<CapacityEstimate, 'requests_spent' | 'requests_minimum' | 'spent_ratio'>): string =>
  cap.requests_spent === undefined
    ? ''
    : `${cap.requests_spent} requests spent${cap.requests_minimum ? `, ${num(cap.spent_ratio, 1)}× the minimum of ${cap.requests_minimum}` : ' (no answer to price against a minimum)'}`;

/** "at least " where the figure is a lower bound. */
const atLeast = (lowerBound: boolean | undefined) => (lowerBound ? 'at least ' : '');

/** The estimate in one line: the model and its parameters, or for unknown the best partial facts. */
export const estimateText = (cap: CapacityEstimate): string => {
  switch (cap.algorithm) {
    case 'fixed_window':
      return `fixed window: ${atLeast(cap.limit_at_least)}${num(cap.limit)} requests per ${num(cap.window_s)} s${secondLimitText(cap)}`;
    case 'sliding_window':
      return `sliding window: ${num(cap.limit)} requests in any ${num(cap.window_s)} s${secondLimitText(cap)}`;
    case 'token_bucket':
      return `token bucket: burst ${atLeast(cap.burst_at_least)}${num(cap.burst)}, refill ${num(cap.rate_per_s)} per second${secondLimitText(cap)}`;
    case 'concurrency':
      return `concurrency limit: ${num(cap.limit)} requests in flight${secondLimitText(cap)}`;
    case 'shaping':
      return `shaping: no 429; throughput held at ${num(cap.rate_per_s)} per second while answers slowed`;
    case 'lockout':
      return `lockout: ${num(cap.limit)} successes, then locked out for ${num(cap.window_s)} s${secondLimitText(cap)}`;
    case 'refusal_counter':
      return `counter that includes refusals: ${num(cap.limit)} requests, let through or not, per ${num(cap.window_s)} s${secondLimitText(cap)}`;
    case 'queue':
      return `queue: ${num(cap.rate_per_s)} per second, holds up to ${num(cap.limit)} requests (${num((cap.burst ?? 1) - 1)} more without delay), refuses beyond${secondLimitText(cap)}`;
    default: {
      const facts: string[] = [];
      if (cap.limit !== null) facts.push(`limit ${num(cap.limit)}`);
      if (cap.window_s !== null) facts.push(`window ${num(cap.window_s)} s`);
      if (cap.burst !== null) facts.push(`burst ${num(cap.burst)}`);
      if (cap.rate_per_s !== null) facts.push(`${num(cap.rate_per_s)} per second`);
      const near = closest(cap);
      if (near) facts.push(`closest model ${modelName(near.model)}, explaining ${Math.round(near.fit * 100)} % of the recoveries`);
      const why = cap.reason ? `: ${cap.reason}` : '';
      return `unknown${why}${facts.length > 0 ? `; ${facts.join(', ')}` : ''}${secondLimitText(cap)}`;
    }
  }
};

/** The estimate's figure comparable with X-Ratelimit-Limit (a quota or a burst), or null. */
export const comparableLimit = (cap: CapacityEstimate): number | null =>
  cap.algorithm === 'token_bucket' ? cap.burst : cap.algorithm === 'fixed_window' || cap.algorithm === 'sliding_window' ? cap.limit : null;

/** The comparable figure is a lower bound. */
const lowerBound = (cap: CapacityEstimate) => (cap.algorithm === 'token_bucket' ? cap.burst_at_least : cap.limit_at_least);

/** The estimate's own limit, whatever its unit. */
export const estimatedLimitText = (cap: CapacityEstimate): string => {
  if (cap.algorithm === 'concurrency') return `${num(cap.limit)} in flight`;
  if (cap.algorithm === 'shaping') return `${num(cap.rate_per_s)} per second (no 429)`;
  if (cap.algorithm === 'queue') return `${num(cap.rate_per_s)} per second, queue of ${num(cap.limit)}`;
  const n = comparableLimit(cap);
  return n === null ? '—' : `${atLeast(lowerBound(cap))}${num(n)}`;
};

/** The estimate against X-Ratelimit-Limit. */
export const comparisonText = (cap: CapacityEstimate): string => {
  const advertised = cap.advertised_limit;
  if (advertised === null) return 'the target advertises no limit (no X-Ratelimit-Limit header)';
  const observed = comparableLimit(cap);
  if (observed !== null) {
    if (observed === advertised) return 'the advertised limit matches the observed one';
    return `the target advertises ${num(advertised)}, ${atLeast(lowerBound(cap))}${num(observed)} observed (${num((observed / advertised) * 100, 0)} % of it)`;
  }
  if (cap.algorithm === 'concurrency') return `the target advertises ${num(advertised)} per window; the limiter observed caps requests in flight (${num(cap.limit)}), which is not comparable`;
  if (cap.algorithm === 'shaping') return `the target advertises ${num(advertised)}, but nothing was throttled: the target queues instead, so no quota was observed`;
  return `the target advertises ${num(advertised)}, but no limiter model was identified to compare it with`;
};
