import type { VersionView } from '../api-model/openapi/version.ts';

/**
 * Everything the simulator can be told, one defaults object and one validate step that
 * names the bad option and the fix (autocannon's style). `startSimulator()` and
 * `devrev-gate serve` both go through it.
 */
export type RateLimitOptions =
  | { algorithm: 'fixed_window'; limit: number; windowS: number }
  | { algorithm: 'token_bucket'; ratePerS: number; burst: number }
  | false;

/**
 * How the X-Ratelimit-* / Retry-After headers behave: `correct` tells the truth, `absent`
 * sends none (and no `retry_after` in the 429 body), `wrong` lies (double the limit, a
 * later reset, half the real wait). The last two exist for the capacity benchmark, whose
 * estimator must work from observed behaviour, not from the headers.
 */
export type RateLimitHeaderMode = 'correct' | 'absent' | 'wrong';

export interface SimulatorOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; default 0. */
  port?: number;
  /** Per-token limiter; false turns it off (and its headers with it). */
  rateLimit?: RateLimitOptions;
  /** Fraction (0..1) of API requests answered 500 internal_error or 503 service_unavailable. */
  faultRate?: number;
  /** Tokens that get 403 forbidden on every write. */
  readOnlyTokens?: string[];
  rateLimitHeaders?: RateLimitHeaderMode;
  /** Shifts fixed windows off the wall clock: windows start at offset + k * windowS. */
  windowOffsetS?: number;
  /** Bodies above this many bytes get 400 bad_request (never 413: neither endpoint lists it). */
  maxBodyBytes?: number;
  /** Created users kept per kind; the oldest are forgotten beyond it. */
  maxUsers?: number;
  /** The dev org the DON ids are minted in. */
  devOrg?: string;
  /** Random source for faults (tests pass a seeded one). */
  random?: () => number;
  /**
   * Serve this documented version (`--openapi FILE`) instead of the pin: its endpoints,
   * request rules, security scheme and response shapes. Absent: the pin, exactly as before.
   */
  version?: VersionView | null;
}

/**
 * What the load pillar runs against when no target is given: a small, short fixed window,
 * so throttling, recovery and a window boundary all happen within seconds. `devrev-gate
 * run` gives the load phase its own simulator with these settings.
 */
export const LOAD_SIMULATOR: SimulatorOptions = { rateLimit: { algorithm: 'fixed_window', limit: 20, windowS: 2 } };

export interface ResolvedOptions {
  host: string;
  port: number;
  rateLimit: RateLimitOptions;
  faultRate: number;
  readOnlyTokens: string[];
  rateLimitHeaders: RateLimitHeaderMode;
  windowOffsetS: number;
  maxBodyBytes: number;
  maxUsers: number;
  devOrg: string;
  random: () => number;
  version: VersionView | null;
}

/**
 * The in-process default must never interfere with the contracts, drift and properties
 * pillars (none of them may meet a 429 it did not ask for), so it is a generous fixed
 * window with DevRev's five-minute period. `serve` documents its own, DevRev-like defaults.
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { algorithm: 'fixed_window', limit: 100_000, windowS: 300 };

export const DEFAULTS: Omit<ResolvedOptions, 'random' | 'version'> = {
  host: '127.0.0.1',
  port: 0,
  rateLimit: DEFAULT_RATE_LIMIT,
  faultRate: 0,
  readOnlyTokens: [],
  rateLimitHeaders: 'correct',
  windowOffsetS: 0,
  maxBodyBytes: 256 * 1024,
  maxUsers: 10_000,
  devOrg: '11Fv8qJc9n',
};

export class SimulatorOptionError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`simulator option ${option} ${message}`);
    this.name = 'SimulatorOptionError';
  }
}

const need = (ok: boolean, option: string, message: string) => {
  if (!ok) throw new SimulatorOptionError(option, message);
};

const isPosFinite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

export const resolveOptions = (o: SimulatorOptions = {}): ResolvedOptions => {
  const r: ResolvedOptions = {
    host: o.host ?? DEFAULTS.host,
    port: o.port ?? DEFAULTS.port,
    rateLimit: o.rateLimit === undefined ? DEFAULTS.rateLimit : o.rateLimit,
    faultRate: o.faultRate ?? DEFAULTS.faultRate,
    readOnlyTokens: [...(o.readOnlyTokens ?? DEFAULTS.readOnlyTokens)],
    rateLimitHeaders: o.rateLimitHeaders ?? DEFAULTS.rateLimitHeaders,
    windowOffsetS: o.windowOffsetS ?? DEFAULTS.windowOffsetS,
    maxBodyBytes: o.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxUsers: o.maxUsers ?? DEFAULTS.maxUsers,
    devOrg: o.devOrg ?? DEFAULTS.devOrg,
    random: o.random ?? Math.random,
    version: o.version ?? null,
  };
  need(typeof r.host === 'string' && r.host.length > 0, 'host', 'must be a host name or address, e.g. 127.0.0.1');
  need(Number.isInteger(r.port) && r.port >= 0 && r.port <= 65535, 'port', 'must be a whole number from 0 to 65535 (0 picks a free port)');
  const rl = r.rateLimit;
  if (rl !== false) {
    if (rl.algorithm === 'fixed_window') {
      need(Number.isSafeInteger(rl.limit) && rl.limit >= 1, 'rateLimit.limit', 'must be a whole number of at least 1');
      need(Number.isSafeInteger(rl.windowS) && rl.windowS >= 1, 'rateLimit.windowS', 'must be a whole number of seconds, at least 1');
    } else if (rl.algorithm === 'token_bucket') {
      need(isPosFinite(rl.ratePerS), 'rateLimit.ratePerS', 'must be a number above 0 (fractions allowed)');
      need(Number.isSafeInteger(rl.burst) && rl.burst >= 1, 'rateLimit.burst', 'must be a whole number of at least 1');
    } else {
      throw new SimulatorOptionError('rateLimit.algorithm', "must be 'fixed_window' or 'token_bucket', or rateLimit false");
    }
  }
  need(typeof r.faultRate === 'number' && r.faultRate >= 0 && r.faultRate <= 1, 'faultRate', 'must be a number from 0 to 1');
  need(r.readOnlyTokens.every((t) => typeof t === 'string' && t.length > 0), 'readOnlyTokens', 'must be non-empty strings');
  need(['correct', 'absent', 'wrong'].includes(r.rateLimitHeaders), 'rateLimitHeaders', "must be 'correct', 'absent' or 'wrong'");
  need(typeof r.windowOffsetS === 'number' && Number.isFinite(r.windowOffsetS) && r.windowOffsetS >= 0, 'windowOffsetS', 'must be a number of seconds, at least 0');
  need(Number.isSafeInteger(r.maxBodyBytes) && r.maxBodyBytes >= 64, 'maxBodyBytes', 'must be a whole number of at least 64');
  need(Number.isSafeInteger(r.maxUsers) && r.maxUsers >= 1, 'maxUsers', 'must be a whole number of at least 1');
  need(/^[A-Za-z0-9]+$/.test(r.devOrg), 'devOrg', 'must be letters and digits only');
  return r;
};
