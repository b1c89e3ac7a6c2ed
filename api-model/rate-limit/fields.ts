import { parseList } from 'structured-headers';

// Retry-After is plain HTTP (RFC 9110), read by the core's client too: its parser lives there.
export { parseRetryAfter, type RetryAfter } from '../../core/retry-after.ts';

/**
 * Readers of the rate-limit fields an answer may carry: DevRev's X-Ratelimit-* (whole
 * numbers; Reset in Unix seconds), Retry-After (read by core/retry-after.ts, re-exported
 * here), and the IETF `RateLimit` / `RateLimit-Policy`
 * fields of draft-ietf-httpapi-ratelimit-headers (Structured Field Lists whose items are
 * Strings naming a policy: `"default";q=100;w=10` and `"default";r=50;t=30`).
 */
export const X_RATELIMIT = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] as const;
export type XRateLimitName = (typeof X_RATELIMIT)[number];

/** Header names the rate-limit rules read, lower case. */
export const RATE_LIMIT_FIELD_NAMES = [...X_RATELIMIT, 'retry-after', 'ratelimit', 'ratelimit-policy', 'date'] as const;

const WHOLE = /^[0-9]+$/;

/** A whole number, or null when absent or anything else. */
export const wholeField = (raw: string | undefined): number | null => (raw !== undefined && WHOLE.test(raw.trim()) ? Number(raw.trim()) : null);

export interface IetfPolicy {
  name: string;
  quota: number;
  windowS: number | null;
  unit: string;
}
export interface IetfLimit {
  name: string;
  remaining: number;
  resetS: number | null;
}
export type IetfParse<T> = { ok: true; items: T[] } | { ok: false; error: string };

const nonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

const parseItems = <T>(raw: string, field: string, read: (name: string, p: Map<string, unknown>) => T | string): IetfParse<T> => {
  let list: ReturnType<typeof parseList>;
  try {
    list = parseList(raw);
  } catch (err) {
    return { ok: false, error: `${field} is not a Structured Field List (${(err as Error).message})` };
  }
  if (list.length === 0) return { ok: false, error: `${field} is empty` };
  const items: T[] = [];
  for (const member of list) {
    const [value, params] = member;
    if (typeof value !== 'string') return { ok: false, error: `${field} items must be Strings naming a policy, got ${JSON.stringify(String(value))}` };
    const r = read(value, params as Map<string, unknown>);
    if (typeof r === 'string') return { ok: false, error: `${field} "${value}": ${r}` };
    items.push(r);
  }
  return { ok: true, items };
};

/** `RateLimit-Policy: "name";q=100;w=10` (q required, w optional, whole seconds, above 0). */
export const parsePolicyField = (raw: string): IetfParse<IetfPolicy> =>
  parseItems(raw, 'RateLimit-Policy', (name, p) => {
    const q = p.get('q');
    const w = p.get('w');
    const qu = p.get('qu');
    if (!nonNegInt(q)) return 'q (the quota) must be a non-negative Integer';
    if (w !== undefined && !(nonNegInt(w) && w > 0)) return 'w (the window) must be a positive Integer of seconds';
    if (qu !== undefined && typeof qu !== 'string') return 'qu (the quota unit) must be a String';
    return { name, quota: q, windowS: w === undefined ? null : (w as number), unit: (qu as string | undefined) ?? 'requests' };
  });

/** `RateLimit: "name";r=50;t=30` (r required, t optional, non-negative Integers). */
export const parseLimitField = (raw: string): IetfParse<IetfLimit> =>
  parseItems(raw, 'RateLimit', (name, p) => {
    const r = p.get('r');
    const t = p.get('t');
    if (!nonNegInt(r)) return 'r (the available quota) must be a non-negative Integer';
    if (t !== undefined && !nonNegInt(t)) return 't (the effective window) must be a non-negative Integer of seconds';
    return { name, remaining: r, resetS: t === undefined ? null : (t as number) };
  });
