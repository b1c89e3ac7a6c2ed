import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestsMinimum } from '../../load/capacity.ts';
import { runCli, scratch } from '../errors/support.ts';

// Every estimate says what it cost against the fewest requests that could establish it,
// in capacity.json, the terminal and the HTML report.

describe('requests_minimum', () => {
  it('is L + 1 for a window or a concurrency limit, B + 3 for a bucket (burst, one refusal, two refills), and nothing without an answer', () => {
    expect(requestsMinimum({ algorithm: 'fixed_window', limit: 30, burst: null })).toBe(31);
    expect(requestsMinimum({ algorithm: 'sliding_window', limit: 20, burst: null })).toBe(21);
    expect(requestsMinimum({ algorithm: 'concurrency', limit: 4, burst: null })).toBe(5);
    expect(requestsMinimum({ algorithm: 'token_bucket', limit: null, burst: 5 })).toBe(8);
    expect(requestsMinimum({ algorithm: null, limit: null, burst: null })).toBeNull();
    expect(requestsMinimum({ algorithm: 'shaping', limit: null, burst: null })).toBeNull();
  });
});

describe('load capacity reports the quota it spent', () => {
  it('in capacity.json, on stdout and in the HTML capacity table', async () => {
    const out = join(scratch('quota-spent'), 'out');
    const r = await runCli(['load', 'capacity', '--simulate', 'fixed-window:10/1', '--duration', '6', '--out', out]);
    expect([0, 1], r.stderr).toContain(r.code);
    const c = JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8'));
    expect(c.requests_spent).toBeGreaterThanOrEqual(c.requests_sent);
    expect(c.requests_minimum).toBe(requestsMinimum(c));
    if (c.requests_minimum === null) expect(c.spent_ratio).toBeNull();
    else expect(c.spent_ratio).toBeCloseTo(c.requests_spent / c.requests_minimum, 1);
    const said = c.requests_minimum === null ? `capacity: ${c.requests_spent} requests spent (no answer to price against a minimum)` : `capacity: ${c.requests_spent} requests spent, ${c.spent_ratio}× the minimum of ${c.requests_minimum}`;
    expect(r.stdout).toContain(said);
    // The saved results carry it, so `report --from` redraws it.
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const saved = results.pillars.find((p: { pillar: string }) => p.pillar === 'load').data.capacity;
    expect(saved).toMatchObject({ requests_spent: c.requests_spent, requests_minimum: c.requests_minimum, spent_ratio: c.spent_ratio });
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(page).toContain('quota spent against the minimum');
    expect(page).toContain(`${c.requests_spent} requests spent`);
  });
});
