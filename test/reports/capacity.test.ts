import { describe, expect, it } from 'vitest';
import type { CapacityEstimate, PillarResult } from '../../core/results.ts';
import { renderHtml } from '../../reports/html.ts';
import { loadPillar, syntheticResults } from './fixture.ts';

// The capacity table of index.html says what the saved estimate says, for every model the
// results can hold and for unknown, read from the results alone.

const base: CapacityEstimate = {
  algorithm: null,
  limit: null,
  window_s: null,
  burst: null,
  rate_per_s: null,
  advertised_limit: 25,
  requests_sent: 400,
  duration_s: 6,
};

/** The capacity table's cells, tags dropped. */
const capacityRows = (cap: CapacityEstimate): Record<string, string> => {
  const load: PillarResult = { ...loadPillar(), data: { ...loadPillar().data, capacity: cap } };
  const page = renderHtml(syntheticResults([load]));
  const table = page.match(/<table class="capacity">([\s\S]*?)<\/table>/)?.[1] ?? '';
  const rows: Record<string, string> = {};
  for (const m of table.matchAll(/<tr><th>([^<]*)<\/th><td[^>]*>([\s\S]*?)<\/td><\/tr>/g)) rows[m[1]!] = m[2]!.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'");
  return rows;
};

const estimated = (cap: CapacityEstimate) => capacityRows(cap)['estimated from observed responses'];

describe('the capacity estimate in the HTML report', () => {
  it('shows a sliding window as its limit and window, compared with the advertised limit', () => {
    const r = capacityRows({ ...base, algorithm: 'sliding_window', limit: 20, window_s: 2, uncertainty: { window_s: 0.2 } });
    expect(r['estimated from observed responses']).toContain('sliding window: 20 requests in any 2 s');
    expect(r['estimated from observed responses']).toContain('window_s ± 0.20');
    expect(r['estimated limit']).toBe('20');
    expect(r['comparison']).toBe('the target advertises 25, 20 observed (80 % of it)');
  });

  it('shows a concurrency limit in flight, and says it is not comparable with a quota', () => {
    const r = capacityRows({ ...base, algorithm: 'concurrency', limit: 4 });
    expect(r['estimated from observed responses']).toBe('concurrency limit: 4 requests in flight');
    expect(r['estimated limit']).toBe('4 in flight');
    expect(r['comparison']).toContain('caps requests in flight (4), which is not comparable');
  });

  it('shows shaping as the rate it held', () => {
    const r = capacityRows({ ...base, algorithm: 'shaping', rate_per_s: 12.5, advertised_limit: null });
    expect(r['estimated from observed responses']).toBe('shaping: no 429; throughput held at 12.50 per second while answers slowed');
    expect(r['estimated limit']).toBe('12.50 per second (no 429)');
    expect(r['comparison']).toBe('the target advertises no limit (no X-Ratelimit-Limit header)');
  });

  it('shows unknown with its reason, the closest model and a second limit', () => {
    const r = capacityRows({
      ...base,
      reason: 'no model explains at least 80% of the recoveries (fixed_window 3/6, token_bucket 4/6)',
      fit: [
        { model: 'fixed_window', fit: 0.5 },
        { model: 'token_bucket', fit: 0.67 },
        { model: 'shaping', fit: null },
      ],
      second_limit: { throttled_for_s: 4.2, successes_before: 30 },
    });
    const text = r['estimated from observed responses']!;
    expect(text).toContain('unknown: no model explains at least 80% of the recoveries');
    expect(text).toContain('closest model token bucket, explaining 67 % of the recoveries');
    expect(text).toContain('a second, longer-scale limit (throttled for 4.20 s after 30 successes)');
    expect(r['comparison']).toBe('the target advertises 25, but no limiter model was identified to compare it with');
  });

  it('keeps the fixed window and the token bucket as before, and never says "no limit observed"', () => {
    expect(estimated({ ...base, algorithm: 'fixed_window', limit: 20, window_s: 1 })).toBe('fixed window: 20 requests per 1 s');
    expect(estimated({ ...base, algorithm: 'token_bucket', burst: 5, rate_per_s: 2.5 })).toBe('token bucket: burst 5, refill 2.50 per second');
    for (const algorithm of ['fixed_window', 'sliding_window', 'token_bucket', 'concurrency', 'shaping', null] as const) {
      expect(estimated({ ...base, algorithm, limit: 3, window_s: 1, burst: 3, rate_per_s: 1 })).not.toContain('no limit observed');
    }
  });

  it('escapes a reason that holds markup', () => {
    const page = renderHtml(syntheticResults([{ ...loadPillar(), data: { capacity: { ...base, reason: '<img src=x onerror=alert(1)>' } } }]));
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
