/**
 * The limiter models the load pillar tells apart. One spelling for each: data (capacity.json,
 * results.json, TypeScript) uses snake_case like DevRev's own JSON (`retry_after`); command
 * line flags and their values use kebab-case like every other flag (`--algorithm
 * fixed-window`, `--simulate token-bucket:5/2.5`). `toCli`/`fromCli` convert at the CLI edge.
 */
export const LIMITER_MODELS = ['fixed_window', 'sliding_window', 'token_bucket', 'concurrency', 'shaping', 'queue', 'lockout', 'refusal_counter'] as const;
export type LimiterModel = (typeof LIMITER_MODELS)[number];

export const toCli = (m: string): string => m.replaceAll('_', '-');
export const fromCli = (m: string): string => m.replaceAll('-', '_');

export const describeModel: Record<LimiterModel, string> = {
  fixed_window: 'fixed window',
  sliding_window: 'sliding window',
  token_bucket: 'token bucket',
  concurrency: 'concurrency limit',
  shaping: 'shaping (queued, not throttled)',
  queue: 'queue (delays, then refuses)',
  lockout: 'lockout (blocked for a fixed time after exceeding)',
  refusal_counter: 'counter that includes refusals',
};
