import { RATE_LIMIT_FIELD_NAMES } from '../api-model/rate-limit/index.ts';
import type { TimelineBucket } from '../core/results.ts';

/**
 * One request of a load phase as the engines saw it. Times are epoch milliseconds with
 * sub-millisecond precision (performance clock anchored at the epoch), so they can be
 * compared with the server's `X-Ratelimit-Reset` and `Date` headers.
 */
export interface Observation {
  sentMs: number;
  recvMs: number;
  /** HTTP status, null when no answer came (timeout, reset, refused). */
  status: number | null;
  error?: 'timeout' | 'connection';
  /** Rate-limit fields (X-Ratelimit-*, Retry-After, the IETF RateLimit ones) and Date, lower-case names. */
  headers?: Record<string, string>;
  /** Parsed JSON body, kept only for 429s and sampled successes. */
  body?: unknown;
  /** Which token sent it (fairness runs), never the token itself. */
  who?: string;
}

export const nowMs = (): number => performance.timeOrigin + performance.now();

export const isThrottled = (o: Observation): boolean => o.status === 429;
/** Anything the limiter let through: the endpoint's own answer, whatever its status. */
export const isAllowed = (o: Observation): boolean => o.status !== null && o.status !== 429;

const KEPT_HEADERS: readonly string[] = RATE_LIMIT_FIELD_NAMES;

/** Keeps only the headers the checks read, with lower-case names (autocannon keeps the raw case). */
export const keepHeaders = (raw: Record<string, unknown> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const name = k.toLowerCase();
    if (KEPT_HEADERS.includes(name)) out[name] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
};

const percentile = (sorted: number[], p: number): number | null => {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank]! * 100) / 100;
};

/** Status counts and latency percentiles per `bucketMs` from the phase start, for the report to plot. */
export const buildTimeline = (obs: readonly Observation[], startMs: number, bucketMs = 100): TimelineBucket[] => {
  if (obs.length === 0) return [];
  // A loop, not Math.max(...spread): an overload probe records hundreds of thousands.
  const last = obs.reduce((m, o) => Math.max(m, o.sentMs), Number.NEGATIVE_INFINITY);
  const n = Math.max(1, Math.floor((last - startMs) / bucketMs) + 1);
  const buckets = Array.from({ length: n }, (_, i) => ({
    b: { tMs: i * bucketMs, s2xx: 0, s429: 0, s5xx: 0, other: 0, errors: 0, p50: null, p90: null, p99: null } as TimelineBucket,
    lat: [] as number[],
  }));
  for (const o of obs) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((o.sentMs - startMs) / bucketMs)));
    const slot = buckets[i]!;
    if (o.status === null) slot.b.errors++;
    else {
      if (o.status >= 200 && o.status < 300) slot.b.s2xx++;
      else if (o.status === 429) slot.b.s429++;
      else if (o.status >= 500) slot.b.s5xx++;
      else slot.b.other++;
      slot.lat.push(o.recvMs - o.sentMs);
    }
  }
  return buckets.map(({ b, lat }) => {
    lat.sort((x, y) => x - y);
    return { ...b, p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99) };
  });
};

/** The line progress shows: elapsed, sent, status counts. */
export const statusLine = (obs: readonly Observation[], startMs: number, inFlight = 0): string => {
  const counts = new Map<string, number>();
  for (const o of obs) {
    const k = o.status === null ? (o.error ?? 'error') : String(o.status);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}:${v}`);
  const elapsed = ((nowMs() - startMs) / 1000).toFixed(1);
  return `${elapsed}s, ${obs.length + inFlight} sent, ${parts.join(' ') || 'no answers yet'}`;
};
