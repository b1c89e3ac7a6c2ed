import { Type } from '@sinclair/typebox';
import { Obj } from './primitives.ts';

// Rate-limit headers from DevRev's rate-limits page: every response carries the three
// X-Ratelimit-* headers; a 429 adds Retry-After in seconds. Header names are matched in
// lower case, as Node and fetch deliver them.

const unsigned = (description: string) => Type.String({ pattern: '^[0-9]+$', description });

export const RATE_LIMIT_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] as const;

export const RateLimitHeaders = Obj(
  {
    'x-ratelimit-limit': unsigned('Total rate limit units for the current window.'),
    'x-ratelimit-remaining': unsigned('Units left in the current window.'),
    'x-ratelimit-reset': unsigned('When the window resets, in seconds from the Unix epoch.'),
  },
  'rate-limit-headers',
);

// The spec types Retry-After as a number; the page and RFC 9110 say whole seconds.
export const RetryAfterHeaders = Obj(
  { 'retry-after': unsigned('Number of seconds to wait before retrying.') },
  'retry-after-headers',
);
