import { LIMITER_MODELS, type LimiterModel, toCli } from '../api-model/rate-limit/models.ts';
import { UsageError } from '../core/errors.ts';
import { loadEndpointNames } from './endpoint.ts';

/**
 * Every knob of the load pillar in one defaults object, and one validate step that names
 * the bad option and the fix before anything is fired (autocannon's style).
 */
export interface LoadOptions {
  /** Requests in flight at most (prober sockets, autocannon connections). */
  concurrency: number;
  /** Capacity: the prober's even rate to start with (req/s); doubled every second without a 429. */
  rate: number;
  /** Capacity: the highest rate the ramp may reach (req/s). */
  maxRate: number;
  /** Capacity: longest probing per estimate, seconds. */
  maxDurationS: number;
  /**
   * Capacity: seconds a bucket the designed rounds found is followed, to look for a second,
   * longer-scale limit (one request per token); 0 trusts a single limit and spends at its
   * physical minimum.
   */
  longerScaleS: number;
  /** Probe: how long autocannon overloads the target, seconds. */
  probeDurationS: number;
  /** Recovery: trials of "throttle, wait the advertised time, try again". */
  trials: number;
  /** Recovery: seconds the fairness comparison runs, per phase. */
  fairnessS: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Probe: one success body in this many is kept and validated. */
  sampleEvery: number;
  /** Request cap for this command; null: the run's budget (small by default on remote targets). */
  maxRequests: number | null;
  /** Which algorithm the fixed-window-only checks assume; auto: what the estimator finds. */
  algorithm: 'auto' | LimiterModel;
  /** Load to a non-loopback target is refused without it. */
  allowRemote: boolean;
  /** A second token for the fairness check on a real target (the simulator needs none). */
  secondToken: string | null;
  /** The create endpoint load sends to, by name; null: the first the model lists. */
  endpoint: string | null;
  /** Where the remote plan line goes (the CLI: stderr). */
  say: (line: string) => void;
  /**
   * The limiter the capacity phase of this run found, when one ran: recovery and probe
   * judge by it instead of estimating again from their own traffic, so one run never
   * contradicts itself. null: the phase runs alone and estimates from what it saw.
   */
  known: KnownLimiter | null;
}

/** The capacity phase's estimate, as the phases after it use it. */
export interface KnownLimiter {
  algorithm: LimiterModel | null;
  /** The window's length when a window was found and measured. */
  windowMs: number | null;
  /** The estimate in words (why no algorithm, when none). */
  reason: string;
}

export const LOAD_DEFAULTS: LoadOptions = {
  concurrency: 16,
  rate: 200,
  maxRate: 3200,
  maxDurationS: 15,
  longerScaleS: 6,
  probeDurationS: 5,
  trials: 3,
  fairnessS: 3,
  timeoutMs: 5_000,
  sampleEvery: 10,
  maxRequests: null,
  algorithm: 'auto',
  allowRemote: false,
  secondToken: null,
  endpoint: null,
  say: (line) => process.stderr.write(`${line}\n`),
  known: null,
};

/** Requests a load command sends to a remote target when --max-requests is not given. */
export const REMOTE_LOAD_MAX_REQUESTS = 100;

const check = (ok: boolean, option: string, message: string, fix: string) => {
  if (!ok) throw new UsageError(`${option} ${message}`, fix);
};
const whole = (n: unknown, min: number, max: number) => Number.isSafeInteger(n) && (n as number) >= min && (n as number) <= max;
const num = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;

export const validateLoadOptions = (given: Partial<LoadOptions> = {}): LoadOptions => {
  const o: LoadOptions = { ...LOAD_DEFAULTS, ...given };
  check(whole(o.concurrency, 1, 1024), '--concurrency', `must be a whole number from 1 to 1024, got ${o.concurrency}`, 'e.g. --concurrency 16');
  check(num(o.rate, 1, 20_000), '--rate', `must be from 1 to 20000 requests per second, got ${o.rate}`, 'e.g. --rate 200');
  check(num(o.maxRate, 1, 20_000), '--max-rate', `must be from 1 to 20000 requests per second, got ${o.maxRate}`, 'e.g. --max-rate 3200');
  check(o.maxRate >= o.rate, '--max-rate', `(${o.maxRate}) is below --rate (${o.rate})`, 'raise --max-rate or lower --rate');
  check(num(o.maxDurationS, 1, 900), '--duration', `must be from 1 to 900 seconds, got ${o.maxDurationS}`, 'e.g. --duration 15 (310 to wait out a five-minute window)');
  check(num(o.longerScaleS, 0, 900), '--longer-scale', `must be from 0 to 900 seconds, got ${o.longerScaleS}`, 'e.g. --longer-scale 6 (0 trusts a single limit)');
  check(num(o.probeDurationS, 1, 300), '--duration', `must be from 1 to 300 seconds, got ${o.probeDurationS}`, 'e.g. --duration 5');
  check(whole(o.trials, 1, 50), '--trials', `must be a whole number from 1 to 50, got ${o.trials}`, 'e.g. --trials 3');
  check(num(o.fairnessS, 0.5, 120), '--fairness-duration', `must be from 0.5 to 120 seconds, got ${o.fairnessS}`, 'e.g. --fairness-duration 3');
  check(whole(o.timeoutMs, 100, 120_000), '--timeout', `must be from 100 to 120000 ms, got ${o.timeoutMs}`, 'e.g. --timeout 5000');
  check(whole(o.sampleEvery, 1, 1_000_000), '--sample-every', `must be a whole number of at least 1, got ${o.sampleEvery}`, 'e.g. --sample-every 10');
  check(o.maxRequests === null || whole(o.maxRequests, 1, 10_000_000), '--max-requests', `must be a whole number of at least 1, got ${o.maxRequests}`, 'e.g. --max-requests 100');
  check(o.algorithm === 'auto' || (LIMITER_MODELS as readonly string[]).includes(o.algorithm), '--algorithm', `must be auto or one of ${LIMITER_MODELS.map(toCli).join(', ')}, got ${toCli(String(o.algorithm))}`, 'leave it at auto unless you know the limiter');
  check(o.secondToken === null || (typeof o.secondToken === 'string' && o.secondToken.length > 0), '--second-token', 'must not be empty', 'pass a token of a second user, or leave it out');
  check(o.endpoint === null || loadEndpointNames().includes(o.endpoint), '--endpoint', `must name a create endpoint, got ${JSON.stringify(o.endpoint)}`, `one of ${loadEndpointNames().join(', ')}`);
  return o;
};
