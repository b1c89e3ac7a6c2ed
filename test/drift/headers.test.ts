import { describe, expect, it } from 'vitest';
import { checkContentType, checkRateLimitHeaders } from '../../drift/headers.ts';

const NOW = 1_800_000_000;
const good = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '900', 'x-ratelimit-reset': String(NOW + 120) };
const rules = (xs: Array<{ rule: string; pointer: string }>) => xs.map((x) => [x.rule, x.pointer]);

describe('Content-Type', () => {
  it('accepts application/json with or without parameters, in any case', () => {
    expect(checkContentType({ 'content-type': 'application/json' })).toEqual([]);
    expect(checkContentType({ 'content-type': 'Application/JSON; charset=utf-8' })).toEqual([]);
  });

  it('reports anything else, and a missing header, at /headers/content-type', () => {
    expect(rules(checkContentType({ 'content-type': 'text/html' }))).toEqual([
      ['response-content-type-changed', '/headers/content-type'],
    ]);
    expect(checkContentType({})).toMatchObject([{ rule: 'response-content-type-changed', actual: 'absent' }]);
  });
});

describe('rate-limit headers', () => {
  it('finds nothing in consistent headers', () => {
    expect(checkRateLimitHeaders(good, { status: 201, body: {}, nowS: NOW })).toEqual([]);
  });

  it('reports each missing header by name; on a 201 the docs say so in prose, on a 400 it is our reading', () => {
    const { 'x-ratelimit-remaining': _, ...rest } = good;
    const on201 = checkRateLimitHeaders(rest, { status: 201, body: {}, nowS: NOW });
    expect(on201).toMatchObject([{ rule: 'rate-limit-header-missing', pointer: '/headers/x-ratelimit-remaining', basis: 'prose' }]);
    const on400 = checkRateLimitHeaders(rest, { status: 400, body: {}, nowS: NOW });
    expect(on400).toMatchObject([{ rule: 'rate-limit-header-missing-on-error', basis: 'assumed' }]);
  });

  it('reports Remaining above Limit', () => {
    const out = checkRateLimitHeaders({ ...good, 'x-ratelimit-remaining': '1001' }, { status: 201, body: {}, nowS: NOW });
    expect(rules(out)).toEqual([['rate-limit-remaining-above-limit', '/headers/x-ratelimit-remaining']]);
  });

  it('reports a Reset in the past, allowing one second of rounding', () => {
    expect(checkRateLimitHeaders({ ...good, 'x-ratelimit-reset': String(NOW - 1) }, { status: 201, body: {}, nowS: NOW })).toEqual([]);
    const out = checkRateLimitHeaders({ ...good, 'x-ratelimit-reset': String(NOW - 60) }, { status: 201, body: {}, nowS: NOW });
    expect(rules(out)).toEqual([['rate-limit-reset-past', '/headers/x-ratelimit-reset']]);
  });

  it('reports a Reset in milliseconds against the page\'s "in seconds from the Unix epoch" (prose)', () => {
    const out = checkRateLimitHeaders({ ...good, 'x-ratelimit-reset': String(NOW * 1000) }, { status: 201, body: {}, nowS: NOW });
    expect(out).toMatchObject([{ rule: 'rate-limit-reset-in-milliseconds', pointer: '/headers/x-ratelimit-reset', basis: 'prose' }]);
  });

  it('reports a Reset merely more than a day ahead as an assumption (the window length is prose, the quota is not published)', () => {
    const out = checkRateLimitHeaders({ ...good, 'x-ratelimit-reset': String(NOW + 3 * 86400) }, { status: 201, body: {}, nowS: NOW });
    expect(out).toMatchObject([{ rule: 'rate-limit-reset-not-seconds', pointer: '/headers/x-ratelimit-reset', basis: 'assumed' }]);
  });

  it('reports values that are not whole numbers', () => {
    const out = checkRateLimitHeaders({ ...good, 'x-ratelimit-limit': '1e3' }, { status: 201, body: {}, nowS: NOW });
    expect(rules(out)).toEqual([['rate-limit-header-invalid', '/headers/x-ratelimit-limit']]);
  });

  describe('on a 429', () => {
    const throttled = { ...good, 'x-ratelimit-remaining': '0', 'retry-after': '30' };

    it('finds nothing when Retry-After, retry_after and the headers agree', () => {
      expect(checkRateLimitHeaders(throttled, { status: 429, body: { type: 'too_many_requests', retry_after: 30 }, nowS: NOW })).toEqual([]);
    });

    it('reports a missing Retry-After, which the spec declares', () => {
      const { 'retry-after': _, ...rest } = throttled;
      expect(checkRateLimitHeaders(rest, { status: 429, body: {}, nowS: NOW })).toMatchObject([
        { rule: 'rate-limit-retry-after-missing', pointer: '/headers/retry-after', basis: 'spec' },
      ]);
    });

    it('reports Retry-After that disagrees with the body\'s retry_after', () => {
      const out = checkRateLimitHeaders(throttled, { status: 429, body: { type: 'too_many_requests', retry_after: 5 }, nowS: NOW });
      expect(out).toMatchObject([{ rule: 'rate-limit-retry-after-mismatch', pointer: '/retry_after', actual: 5, basis: 'prose' }]);
    });

    it('reports a wait longer than the window, and units left while throttled', () => {
      const out = checkRateLimitHeaders(
        { ...throttled, 'retry-after': '600', 'x-ratelimit-remaining': '3' },
        { status: 429, body: {}, nowS: NOW },
      );
      expect(rules(out)).toEqual([
        ['rate-limit-remaining-not-zero', '/headers/x-ratelimit-remaining'],
        ['rate-limit-retry-after-beyond-reset', '/headers/retry-after'],
      ]);
    });
  });
});
