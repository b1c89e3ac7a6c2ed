import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { runSession } from '../../cli/session.ts';
import { EXIT } from '../../core/errors.ts';
import { HttpClient } from '../../core/http.ts';
import { Progress } from '../../core/progress.ts';
import type { RunResults } from '../../core/results.ts';
import type { Case } from '../../properties/case.ts';
import { type CaseProperty, propertyByName } from '../../properties/catalog.ts';
import { runProperties } from '../../properties/index.ts';
import { runCaseProperty } from '../../properties/runner.ts';
import { startSimulator } from '../../simulator/index.ts';
import { checkOf, contextFor } from './helpers.ts';

const PHONES_E164 = propertyByName('phones-e164') as CaseProperty;

let sim: { url: string; close(): Promise<void> };
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim.close();
});

describe('the properties pillar', () => {
  it('reports its seed, and the same seed generates the same cases', async () => {
    const a = await runProperties(contextFor(sim.url), { seed: 4242, properties: ['dev-state-shadow-only'], runsPerClass: 5 });
    const b = await runProperties(contextFor(sim.url), { seed: 4242, properties: ['dev-state-shadow-only'], runsPerClass: 5 });
    expect(a.data?.seed).toBe(4242);
    expect(a.data?.classCounts).toEqual(b.data?.classCounts);
  });

  it('never sends more than --budget requests and calls the cut-short coverage inconclusive, not failed', async () => {
    const r = await runProperties(contextFor(sim.url), { budget: 40 });
    expect(r.requestsSent).toBeLessThanOrEqual(40);
    expect(r.checks.filter((c) => c.outcome === 'fail')).toEqual([]);
    expect(checkOf(r, 'properties.class-coverage').outcome).toBe('inconclusive');
  });

  it('stops sending once the time budget is spent, without a failure', async () => {
    const r = await runProperties(contextFor(sim.url), { timeBudgetS: 0.001 });
    expect(r.checks.filter((c) => c.outcome === 'fail')).toEqual([]);
    expect(r.checks.some((c) => /budget/.test(c.reason ?? ''))).toBe(true);
  });

  it('treats answers still throttled after the bounded retries as inconclusive, never as counterexamples', async () => {
    // The window starts now, so every 429 asks for minutes, past what the client will wait.
    const limited = await startSimulator({
      rateLimit: { algorithm: 'fixed_window', limit: 5, windowS: 300 },
      windowOffsetS: (Date.now() / 1000) % 300,
    });
    try {
      const r = await runProperties(contextFor(limited.url), { properties: ['phones-e164', 'valid-accepted'], runsPerClass: 2 });
      // (Two cases per class is too few for class coverage; that check is about the generators.)
      expect(r.checks.filter((c) => c.outcome === 'fail' && c.id !== 'properties.class-coverage')).toEqual([]);
      expect(checkOf(r, 'properties.phones-e164').outcome).toBe('inconclusive');
      expect(checkOf(r, 'properties.valid-accepted').reason).toMatch(/throttled: \d+ of \d+ requests got 429; raise the quota, or send fewer: a lower --max-requests, or --runs of `devrev-gate properties`/);
    } finally {
      await limited.close();
    }
  });

  it('fails the oracle check and sends nothing when a generator mislabels a case', async () => {
    const ctx = contextFor(sim.url);
    const client = new HttpClient(ctx);
    const env = { ctx, client, deadline: Date.now() + 60_000, stopped: null, counts: {}, answered: {}, throttled: 0, progress: new Progress('t', { quiet: true }), seq: 0, sent: 0 };
    const mislabelled = {
      name: 'rev.valid.bogus',
      arb: fc.constantFrom('+0', '+12 3').map((p): Case => ({ cls: 'rev.valid.bogus', endpoint: 'rev-users.create', expect: 'valid', body: { phone_numbers: [p] } })),
    };
    const out = await runCaseProperty(env, PHONES_E164, [mislabelled], { seed: 1, numRuns: 10, timeLimitMs: 10_000 });
    expect(out.mislabelled).not.toBeNull();
    expect(out.check.outcome).toBe('inconclusive');
    expect(ctx.budget.sent).toBe(0);
  });

  it('exits 3, the suite failed, when a generator mislabels a case: never 1, never blamed on the provider', async () => {
    const bogus: CaseProperty = {
      ...PHONES_E164,
      classes: () => ({
        classes: [
          {
            name: 'rev.valid.bogus',
            arb: fc.constant<Case>({ cls: 'rev.valid.bogus', endpoint: 'rev-users.create', expect: 'valid', body: { phone_numbers: ['+0'] } }),
          },
        ],
        unavailable: [],
      }),
    };
    const out = contextFor(sim.url).outDir;
    const code = await runSession({
      common: { out, quiet: true },
      reports: false,
      pillars: [{ pillar: 'properties', run: (ctx) => runProperties(ctx, { seed: 1, definitions: [bogus] }) }],
    });
    process.exitCode = 0;
    expect(code).toBe(EXIT.SUITE);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    const oracle = results.pillars[0]!.checks.find((c) => c.id === 'properties.oracle')!;
    expect(oracle).toMatchObject({ outcome: 'fail', findings: [{ ruleId: 'suite-case-mislabelled', severity: 'error' }] });
  });
});

describe('devrev-gate properties', () => {
  it('exits 2 with a one-line reason when --replay-path comes without --property', async () => {
    expect(await main(['node', 'devrev-gate', 'properties', '--seed', '1', '--replay-path', '0:1', '--quiet', '--out', contextFor(sim.url).outDir])).toBe(2);
  });

  it('replays one case of a property from --seed and --path against the simulator and passes', async () => {
    const out = contextFor(sim.url).outDir;
    expect(await main(['node', 'devrev-gate', 'properties', '--property', 'phones-e164', '--seed', '7', '--path', '3', '--quiet', '--out', out])).toBe(0);
  });
});
