import { RATE_LIMIT_HEADERS } from '../api-model/shapes/headers.ts';
import type { BasisName } from '../core/results.ts';
import type { Classified } from './classify.ts';

/**
 * Header checks of one answer: its Content-Type and its rate-limit headers. Header findings
 * point at `/headers/<lower-case name>`, as if the headers were a JSON object beside the body.
 */
export interface Observation extends Classified {
  basis: BasisName;
}

export const headerPointer = (name: string) => `/headers/${name.toLowerCase()}`;

/** Every documented answer, success or error, is application/json (spec: components.responses). */
export const checkContentType = (headers: Record<string, string>): Observation[] => {
  const raw = headers['content-type'];
  const media = raw?.split(';')[0]?.trim().toLowerCase();
  if (media === 'application/json') return [];
  return [
    {
      rule: 'response-content-type-changed',
      basis: 'spec',
      pointer: headerPointer('content-type'),
      expected: 'application/json',
      actual: raw ?? 'absent',
      message: raw ? `Content-Type is ${raw}, documented as application/json` : 'no Content-Type, documented as application/json',
    },
  ];
};

const WHOLE = /^[0-9]+$/;
/** A Reset this far ahead is no window DevRev describes (five minutes): milliseconds, probably. */
const MAX_RESET_AHEAD_S = 24 * 3600;

export interface RateLimitCheckOptions {
  status: number;
  body: unknown;
  /** Now, in Unix seconds: the server's Date on remote targets, our clock otherwise. */
  nowS: number;
}

/**
 * The rate-limits page: every response carries X-Ratelimit-Limit/-Remaining/-Reset (Reset in
 * Unix seconds); a 429 adds Retry-After in seconds, and the 429 body's optional `retry_after`
 * says the same. The page shows them on successful answers and on the 429; that error
 * answers carry them too is our reading (basis `assumed`). Comparisons allow one second of
 * rounding.
 */
export const checkRateLimitHeaders = (headers: Record<string, string>, o: RateLimitCheckOptions): Observation[] => {
  const out: Observation[] = [];
  const presenceBasis: BasisName = o.status < 300 || o.status === 429 ? 'prose' : 'assumed';
  const values: Partial<Record<(typeof RATE_LIMIT_HEADERS)[number], number>> = {};
  for (const name of RATE_LIMIT_HEADERS) {
    const raw = headers[name];
    if (raw === undefined) {
      out.push({
        rule: 'rate-limit-header-missing',
        basis: presenceBasis,
        pointer: headerPointer(name),
        expected: 'present',
        actual: 'absent',
        message: `${name} is missing (documented on every response)`,
      });
    } else if (!WHOLE.test(raw.trim())) {
      out.push({
        rule: 'rate-limit-header-inconsistent',
        basis: 'prose',
        pointer: headerPointer(name),
        expected: 'a whole number',
        actual: raw,
        message: `${name} is ${JSON.stringify(raw)}, not a whole number`,
      });
    } else values[name] = Number(raw.trim());
  }
  const limit = values['x-ratelimit-limit'];
  const remaining = values['x-ratelimit-remaining'];
  const reset = values['x-ratelimit-reset'];
  if (limit !== undefined && remaining !== undefined && remaining > limit) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      basis: 'prose',
      pointer: headerPointer('x-ratelimit-remaining'),
      expected: `at most X-Ratelimit-Limit (${limit})`,
      actual: remaining,
      message: `X-Ratelimit-Remaining ${remaining} exceeds X-Ratelimit-Limit ${limit}`,
    });
  }
  if (reset !== undefined && reset < o.nowS - 1) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      basis: 'prose',
      pointer: headerPointer('x-ratelimit-reset'),
      expected: `Unix seconds not before now (${Math.floor(o.nowS)})`,
      actual: reset,
      message: `X-Ratelimit-Reset ${reset} is ${Math.round(o.nowS - reset)} s in the past`,
    });
  } else if (reset !== undefined && reset > o.nowS + MAX_RESET_AHEAD_S) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      // "in seconds from the Unix epoch" is the rate-limits page's own sentence: a value a
      // thousand times now is milliseconds, against the prose; any other far Reset is our reading.
      basis: reset > o.nowS * 100 ? 'prose' : 'assumed',
      pointer: headerPointer('x-ratelimit-reset'),
      expected: `Unix seconds within a day of now (${Math.floor(o.nowS)})`,
      actual: reset,
      message: `X-Ratelimit-Reset ${reset} is more than a day ahead (milliseconds instead of seconds?)`,
    });
  }
  if (o.status === 429) out.push(...checkRetryAfter(headers, o, remaining, reset));
  return out;
};

const checkRetryAfter = (
  headers: Record<string, string>,
  o: RateLimitCheckOptions,
  remaining: number | undefined,
  reset: number | undefined,
): Observation[] => {
  const out: Observation[] = [];
  const raw = headers['retry-after'];
  const p = headerPointer('retry-after');
  if (raw === undefined) {
    out.push({ rule: 'rate-limit-header-missing', basis: 'spec', pointer: p, expected: 'present', actual: 'absent', message: 'a 429 without Retry-After' });
    return out;
  }
  if (!WHOLE.test(raw.trim())) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      basis: 'prose',
      pointer: p,
      expected: 'whole seconds',
      actual: raw,
      message: `Retry-After is ${JSON.stringify(raw)}, not whole seconds`,
    });
    return out;
  }
  const retryAfter = Number(raw.trim());
  const bodyValue =
    o.body !== null && typeof o.body === 'object' ? (o.body as Record<string, unknown>)['retry_after'] : undefined;
  if (typeof bodyValue === 'number' && Math.abs(bodyValue - retryAfter) > 1) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      basis: 'prose',
      pointer: p,
      expected: `the body's retry_after (${bodyValue})`,
      actual: retryAfter,
      message: `Retry-After ${retryAfter} disagrees with the body's retry_after ${bodyValue}`,
    });
  }
  if (reset !== undefined && retryAfter > reset - o.nowS + 1) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      basis: 'prose',
      pointer: p,
      expected: `at most the time to X-Ratelimit-Reset (${Math.max(0, Math.ceil(reset - o.nowS))} s)`,
      actual: retryAfter,
      message: `Retry-After ${retryAfter} s outlasts the window, which resets in ${Math.ceil(reset - o.nowS)} s`,
    });
  }
  if (remaining !== undefined && remaining > 0) {
    out.push({
      rule: 'rate-limit-header-inconsistent',
      basis: 'assumed',
      pointer: headerPointer('x-ratelimit-remaining'),
      expected: 0,
      actual: remaining,
      message: `a 429 while X-Ratelimit-Remaining says ${remaining} units are left`,
    });
  }
  return out;
};
