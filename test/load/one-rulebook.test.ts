import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_RULES } from '../../api-model/rulebook/rate-limit.ts';
import type { PillarResult } from '../../core/results.ts';
import { createRunContext } from '../../core/run-context.ts';
import { runDrift } from '../../drift/engine.ts';
import { checkAnswers, FindingSink } from '../../load/checks.ts';
import { runLoadProbe } from '../../load/index.ts';
import type { Observation } from '../../load/observe.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

// Issue 13 item 4: the rate-limit rules live once (api-model/rate-limit) and both pillars
// report them with the same id and severity. Both run against the embedded simulator with
// its rate-limit headers switched off.

const sims: RunningSimulator[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
});

const ruleSeverities = (p: PillarResult) => {
  const m = new Map<string, Set<string>>();
  for (const f of p.checks.flatMap((c) => c.findings)) {
    if (!f.ruleId.startsWith('rate-limit-')) continue;
    m.set(f.ruleId, (m.get(f.ruleId) ?? new Set()).add(f.severity));
  }
  return m;
};

describe('one rule book for drift and load', () => {
  it('reports absent rate-limit headers under the same rule and severity in both pillars', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dg-one-rulebook-'));
    // Drift gets a limiter it never reaches; load a small one it reaches at once.
    const forDrift = await startSimulator({ rateLimitHeaders: 'absent' });
    const forLoad = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 5, windowS: 1 }, rateLimitHeaders: 'absent' });
    sims.push(forDrift, forLoad);
    const ctx = (url: string) => createRunContext({ target: { url, kind: 'simulator' }, token: 'tok-one-rulebook', outDir: out, quiet: true });
    const drift = ruleSeverities(await runDrift(ctx(forDrift.url), { simulatorRoutes: true }));
    const load = ruleSeverities(await runLoadProbe(ctx(forLoad.url), { probeDurationS: 1, concurrency: 4 }));

    for (const rule of ['rate-limit-header-missing', 'rate-limit-retry-after-missing'] as const) {
      expect(drift.get(rule), `drift reports ${rule}`).toEqual(new Set([RATE_LIMIT_RULES[rule].severity]));
      expect(load.get(rule), `load reports ${rule}`).toEqual(new Set([RATE_LIMIT_RULES[rule].severity]));
    }
    // Every rate-limit rule both report carries one severity in both.
    for (const [rule, severities] of drift) if (load.has(rule)) expect(load.get(rule)).toEqual(severities);
  });
});

describe('answers are counted once per finding', () => {
  it('a 429 body with two errors at one pointer counts as one answer', () => {
    const obs: Observation[] = [1, 2, 3].map((i) => ({ sentMs: i, recvMs: i + 1, status: 429, headers: { 'retry-after': '1' }, body: {} }));
    const env = { checkId: 'x', remote: false, realTarget: false, reproduction: null };
    const sinks = { body429: new FindingSink(env), retryAfter: new FindingSink(env), headers: new FindingSink(env) };
    checkAnswers(obs, { fixedWindow: false, remote: false }, sinks);
    const body = sinks.body429.findings();
    expect(body.length).toBeGreaterThan(0);
    for (const f of body) expect(f.message).toMatch(/\(3 answers\)$/);
    for (const f of sinks.headers.findings()) expect(f.message).toMatch(/\(3 answers\)$/);
  });
});
