import { describe, expect, it } from 'vitest';
import { ANSWER_RULE_IDS, judgeRateLimitAnswer, parseLimitField, parsePolicyField, parseRetryAfter } from '../../api-model/rate-limit/index.ts';
import { RATE_LIMIT_RULES } from '../../api-model/rulebook/rate-limit.ts';

// The rate-limit rules of one answer, against answers written from DevRev's rate-limits page
// ("X-Ratelimit-Limit: 1000, X-Ratelimit-Remaining: 900, X-Ratelimit-Reset: 1720636800";
// "Retry-After: 30") and from the IETF draft's own examples, not derived from the rules code.

const NOW = 1_720_636_770; // 30 s before the page's example Reset
const now = { lo: NOW, hi: NOW };
const page = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '900', 'x-ratelimit-reset': '1720636800' };
const throttledPage = { ...page, 'x-ratelimit-remaining': '0', 'retry-after': '30' };
const body429 = { type: 'too_many_requests', message: 'slow down', retry_after: 30 };
const judge = (status: number, headers: Record<string, string>, body: unknown = {}, fixedWindow = false) =>
  judgeRateLimitAnswer({ status, headers, body }, { now, fixedWindow }).map((o) => [o.rule, o.pointer]);

const seen = new Set<string>();
const expectRules = (got: string[][], want: string[][]) => {
  expect(got).toEqual(want);
  for (const [r] of want) seen.add(r!);
};

describe('the rate-limits page example answers', () => {
  it('passes the page\'s own success and 429 headers', () => {
    expectRules(judge(201, page), []);
    expectRules(judge(429, throttledPage, body429, true), []);
  });

  it('reads the headers as missing on a success (prose) and on an error answer (assumed)', () => {
    const { 'x-ratelimit-reset': _, ...noReset } = page;
    expectRules(judge(201, noReset), [['rate-limit-header-missing', '/headers/x-ratelimit-reset']]);
    expectRules(judge(400, noReset), [['rate-limit-header-missing-on-error', '/headers/x-ratelimit-reset']]);
    expect(RATE_LIMIT_RULES['rate-limit-header-missing'].basis).toBe('prose');
    expect(RATE_LIMIT_RULES['rate-limit-header-missing-on-error'].basis).toBe('assumed');
  });

  it('reports values that are not whole numbers, Remaining above Limit, and a Reset in the past or in milliseconds', () => {
    expectRules(judge(201, { ...page, 'x-ratelimit-limit': '1e3' }), [['rate-limit-header-invalid', '/headers/x-ratelimit-limit']]);
    expectRules(judge(201, { ...page, 'x-ratelimit-remaining': '1001' }), [['rate-limit-remaining-above-limit', '/headers/x-ratelimit-remaining']]);
    expectRules(judge(201, { ...page, 'x-ratelimit-reset': String(NOW - 1) }), []);
    expectRules(judge(201, { ...page, 'x-ratelimit-reset': String(NOW - 2) }), [['rate-limit-reset-past', '/headers/x-ratelimit-reset']]);
    expectRules(judge(201, { ...page, 'x-ratelimit-reset': '1720636800000' }), [['rate-limit-reset-in-milliseconds', '/headers/x-ratelimit-reset']]);
    expectRules(judge(201, { ...page, 'x-ratelimit-reset': String(NOW + 3 * 86400) }), [['rate-limit-reset-not-seconds', '/headers/x-ratelimit-reset']]);
  });

  it('on a 429: Retry-After missing, not seconds, beyond the window, disagreeing with the body; units left', () => {
    const { 'retry-after': _, ...noRa } = throttledPage;
    expectRules(judge(429, noRa, body429), [['rate-limit-retry-after-missing', '/headers/retry-after']]);
    expectRules(judge(429, { ...throttledPage, 'retry-after': 'soon' }, body429), [['rate-limit-retry-after-not-seconds', '/headers/retry-after']]);
    expectRules(judge(429, { ...throttledPage, 'retry-after': '300' }, { ...body429, retry_after: 300 }), [['rate-limit-retry-after-beyond-reset', '/headers/retry-after']]);
    expectRules(judge(429, throttledPage, { ...body429, retry_after: 31 }), []);
    expectRules(judge(429, throttledPage, { ...body429, retry_after: 32 }), [['rate-limit-retry-after-mismatch', '/retry_after']]);
    expectRules(judge(429, { ...throttledPage, 'x-ratelimit-remaining': '3' }, body429), [['rate-limit-remaining-not-zero', '/headers/x-ratelimit-remaining']]);
  });

  it('only for a fixed window: Reset must be now + Retry-After (one second of rounding)', () => {
    const early = { ...throttledPage, 'retry-after': '10' };
    expectRules(judge(429, early, { ...body429, retry_after: 10 }, false), []);
    expectRules(judge(429, early, { ...body429, retry_after: 10 }, true), [['rate-limit-reset-inconsistent', '/headers/x-ratelimit-reset']]);
  });

  it('understands an HTTP-date Retry-After (the wait is read right) and reports it against DevRev\'s docs', () => {
    const date = new Date((NOW + 30) * 1000).toUTCString();
    const ra = parseRetryAfter(date, { dateHeader: new Date(NOW * 1000).toUTCString(), nowMs: 0 });
    expect(ra).toEqual({ form: 'date', atMs: (NOW + 30) * 1000, seconds: 30 });
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', { nowMs: Date.UTC(1994, 10, 6, 8, 49, 7) })?.seconds).toBe(30);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', { nowMs: Date.UTC(1994, 10, 6, 8, 49, 7) })?.seconds).toBe(30);
    expect(parseRetryAfter('tomorrow', { nowMs: 0 })).toBeNull();
    // Same wait as the body says, so no mismatch and no "beyond the window": only the form.
    expectRules(judge(429, { ...throttledPage, 'retry-after': date }, body429), [['rate-limit-retry-after-not-seconds', '/headers/retry-after']]);
  });
});

describe('the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('parses the draft\'s own examples', () => {
    expect(parsePolicyField('"burst";q=100;w=60,"daily";q=1000;w=86400')).toEqual({
      ok: true,
      items: [
        { name: 'burst', quota: 100, windowS: 60, unit: 'requests' },
        { name: 'daily', quota: 1000, windowS: 86400, unit: 'requests' },
      ],
    });
    expect(parsePolicyField('"peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:')).toMatchObject({ ok: true, items: [{ unit: 'content-bytes' }] });
    expect(parseLimitField('"default";r=50;t=30')).toEqual({ ok: true, items: [{ name: 'default', remaining: 50, resetS: 30 }] });
    expect(parseLimitField('"default";r=999;pk=:dHJpYWwxMjEzMjM=:')).toEqual({ ok: true, items: [{ name: 'default', remaining: 999, resetS: null }] });
  });

  it('rejects what breaks the syntax: a Token for a name, no q, a window of 0, a decimal r', () => {
    for (const bad of ['default;q=10', '"default";w=10', '"default";q=10;w=0', '"x";q=1,']) expect(parsePolicyField(bad).ok, bad).toBe(false);
    for (const bad of ['"default";r=1.5', '"default";t=3', '"default";r=-1']) expect(parseLimitField(bad).ok, bad).toBe(false);
  });

  it('reports a malformed field, and fields that contradict X-Ratelimit-*', () => {
    expectRules(judge(201, { ...page, ratelimit: '"default";r=ten' }), [['rate-limit-ietf-field-invalid', '/headers/ratelimit']]);
    expectRules(judge(201, { ...page, 'ratelimit-policy': '"default";q=1000;w=300', ratelimit: '"default";r=900;t=30' }), []);
    expectRules(judge(201, { ...page, 'ratelimit-policy': '"default";q=1000;w=300', ratelimit: '"default";r=901;t=30' }), [['rate-limit-ietf-field-inconsistent', '/headers/ratelimit']]);
    expectRules(judge(201, { ...page, 'ratelimit-policy': '"default";q=500;w=300' }), [['rate-limit-ietf-field-inconsistent', '/headers/ratelimit-policy']]);
  });
});

describe('the rule book', () => {
  it('gives every rule one severity, one basis and a reason; each per-answer rule is exercised above', () => {
    for (const [id, r] of Object.entries(RATE_LIMIT_RULES)) {
      expect(['error', 'warning', 'info'], id).toContain(r.severity);
      expect(['spec', 'prose', 'assumed'], id).toContain(r.basis);
      expect(r.reason.length, id).toBeGreaterThan(10);
    }
    expect([...seen].sort()).toEqual([...ANSWER_RULE_IDS].sort());
  });

  it('settles the bases DECISIONS names: Reset in Unix seconds and Retry-After in seconds are prose', () => {
    expect(RATE_LIMIT_RULES['rate-limit-reset-past'].basis).toBe('prose');
    expect(RATE_LIMIT_RULES['rate-limit-retry-after-not-seconds'].basis).toBe('prose');
  });
});
