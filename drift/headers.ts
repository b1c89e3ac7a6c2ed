import { judgeRateLimitAnswer, RATE_LIMIT_RULES } from '../api-model/rate-limit/index.ts';
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

export interface RateLimitCheckOptions {
  status: number;
  body: unknown;
  /** Now, in Unix seconds: the server's Date on remote targets, our clock otherwise. */
  nowS: number;
}

/**
 * The rate-limit rules (api-model/rate-limit, shared with the load pillar) over one answer.
 * Drift does not know the limiter's algorithm, so the fixed-window-only rule stays off.
 */
export const checkRateLimitHeaders = (headers: Record<string, string>, o: RateLimitCheckOptions): Observation[] =>
  judgeRateLimitAnswer({ status: o.status, headers, body: o.body }, { now: { lo: o.nowS, hi: o.nowS } }).map((x) => ({
    ...x,
    basis: RATE_LIMIT_RULES[x.rule].basis,
  }));
