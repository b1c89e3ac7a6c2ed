import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_DOWN_RULE } from '../../core/evidence.ts';
import type { PillarResult, RunResults } from '../../core/results.ts';
import { createRunContext, type RunContext } from '../../core/run-context.ts';
import { runDrift } from '../../drift/engine.ts';
import { type PropertiesOptions, runProperties } from '../../properties/index.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { checkOf, counterexamplesOf } from '../properties/helpers.ts';
import { createdUser, editUser, type MutatingProxy, type Rewriter, startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * The properties and drift pillars behind proxies that change the simulator's real
 * answers the way infrastructure does (slow, compressed, chunked, a process that exits)
 * or the way a provider drifts from the docs (a problem+json error, a 401 that is not one).
 */
const TOKEN = 'infra-props-token';
const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(async () => {
  await sim.close();
});

const contextFor = (url: string): RunContext =>
  createRunContext({ target: { url, kind: 'loopback' }, token: TOKEN, outDir: mkdtempSync(join(tmpdir(), 'dg-infra-')), quiet: true });

const withProxy = async <T>(rewrite: Rewriter, body: (proxy: MutatingProxy, ctx: RunContext) => Promise<T>): Promise<T> => {
  const proxy = await startMutatingProxy(sim.url, rewrite);
  try {
    return await body(proxy, contextFor(proxy.url));
  } finally {
    await proxy.close();
  }
};

const properties = (rewrite: Rewriter, o: Partial<PropertiesOptions>) =>
  withProxy(rewrite, async (proxy, ctx) => ({ r: await runProperties(ctx, { seed: 7, ...o }), ctx, proxy }));

const failing = (r: PillarResult) => r.checks.filter((c) => c.outcome === 'fail');
const findings = (r: PillarResult) => r.checks.flatMap((c) => c.findings);
const createdIds = (ctx: RunContext) => ctx.ledger.all().filter((e) => e.event === 'created').map((e) => e.id).sort();

describe('properties against infrastructure that is not drift', () => {
  it('answers 300 ms slower: a property whose time share ran out is inconclusive, never a coverage failure', async () => {
    const { r } = await properties(() => ({ delayMs: 300 }), { timeBudgetS: 4, runsPerClass: 20, properties: ['valid-accepted', 'phones-e164'] });
    expect(failing(r)).toEqual([]);
    const coverage = checkOf(r, 'properties.class-coverage');
    expect(coverage.outcome).toBe('inconclusive');
    expect(coverage.reason).toMatch(/not a coverage failure/);
    expect(coverage.reason).not.toMatch(/raise --runs/);
  });

  it('reads created users from gzip and chunked answers, so every one is in the ledger', async () => {
    const ids: string[] = [];
    const { r, ctx } = await properties(
      (x) => {
        const user = createdUser(x);
        if (user) ids.push(String(user['id']));
        return { encoding: 'gzip', chunked: x.n % 2 === 0 };
      },
      { runsPerClass: 8, properties: ['valid-accepted'] },
    );
    expect(failing(r)).toEqual([]);
    expect(ids.length).toBeGreaterThan(5);
    expect(createdIds(ctx)).toEqual(ids.sort());
  });

  it('checks Content-Type: an application/problem+json 400 breaks "every answer is application/json"', async () => {
    const { r } = await properties((x) => (x.status === 400 ? { headers: { 'content-type': 'application/problem+json' } } : undefined), {
      runsPerClass: 2,
      properties: ['dev-state-shadow-only'],
    });
    const f = findings(r).find((x) => x.ruleId === 'properties.dev-state-shadow-only.content-type');
    expect(f).toMatchObject({ pointer: '/headers/content-type', expected: 'application/json', actual: 'application/problem+json', basis: 'spec', severity: 'error' });
    expect(f!.evidence?.status).toBe(400);
    expect(f!.evidence?.headers['content-type']).toBe('application/problem+json');
  });

  it('sends valid requests without a token and fails a provider that does not answer 401', async () => {
    const seen: Array<string | undefined> = [];
    const { r } = await properties(
      (x) => {
        seen.push(x.requestHeaders.authorization);
        return x.status === 401 ? { status: 403, body: { type: 'forbidden', message: 'no' } } : undefined;
      },
      { runsPerClass: 2, properties: ['no-token-rejected'] },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((a) => a === undefined)).toBe(true);
    const f = findings(r).find((x) => x.ruleId === 'properties.no-token-rejected.status');
    expect(f).toMatchObject({ expected: 401, actual: 403, basis: 'spec' });
  });

  it('passes the no-token property against the simulator as it is', async () => {
    const { r } = await properties(() => undefined, { runsPerClass: 3, properties: ['no-token-rejected'] });
    expect(checkOf(r, 'properties.no-token-rejected').outcome).toBe('pass');
  });

  it('stops at a target that exits mid-run: one finding with the input sent just before, no shrinking against the dead port', async () => {
    const { r, proxy } = await properties((x) => (x.n === 40 ? { die: true } : undefined), { runsPerClass: 5 });
    expect(proxy.dead).toBe(true);
    expect(proxy.received).toBe(40);
    const bad = failing(r);
    expect(bad.map((c) => c.id)).toEqual(['properties.target']);
    const f = bad[0]!.findings[0]!;
    expect(f.ruleId).toBe(TARGET_DOWN_RULE);
    expect(f.reproduction).toMatch(/^curl /);
    expect(counterexamplesOf(r)).toEqual([]);
    expect(r.checks.filter((c) => /the target stopped answering/.test(c.reason ?? '')).length).toBeGreaterThan(1);
  });
});

describe('drift against infrastructure that is not drift', () => {
  const drift = (rewrite: Rewriter) => withProxy(rewrite, async (proxy, ctx) => ({ r: await runDrift(ctx, { simulatorRoutes: true }), ctx, proxy }));
  const errors = (r: PillarResult) => findings(r).filter((f) => f.severity === 'error');

  for (const [what, rewrite] of [
    ['gzip and chunked', (x: { n: number }) => ({ encoding: 'gzip' as const, chunked: x.n % 2 === 1 })],
    ['300 ms slower', () => ({ delayMs: 300 })],
  ] as const) {
    it(`finds no drift in ${what} answers and notes every user created`, async () => {
      const ids: string[] = [];
      const { r, ctx } = await drift((x) => {
        const user = createdUser(x);
        if (user) ids.push(String(user['id']));
        return rewrite(x);
      });
      expect(errors(r)).toEqual([]);
      expect(ids.length).toBeGreaterThan(2);
      expect(createdIds(ctx)).toEqual(ids.sort());
    });
  }

  it('stops at a target that exits mid-run: one finding naming the request that met the dead port', async () => {
    const { r, proxy } = await drift((x) => (x.n === 6 ? { die: true } : undefined));
    expect(proxy.dead).toBe(true);
    const bad = failing(r);
    expect(bad.map((c) => c.id)).toContain('drift.target');
    const f = bad.find((c) => c.id === 'drift.target')!.findings[0]!;
    expect(f.ruleId).toBe(TARGET_DOWN_RULE);
    expect(f.reproduction).toMatch(/^curl /);
    // The case that met the dead process ended as no answer; the next one found nothing listening.
    expect(r.checks.at(-1)!.id).toBe('drift.target');
  });

  it('keeps the answer each finding judged: status, headers and body, the token nowhere', async () => {
    const { r } = await drift((x) => editUser(x, (u) => void delete u['id']));
    const f = findings(r).find((x) => x.ruleId === 'response-required-property-missing' && /\/id$/.test(x.pointer))!;
    expect(f.evidence).toMatchObject({ status: 201, truncated: false });
    expect(f.evidence!.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(f.evidence!.body)).not.toHaveProperty('rev_user.id');
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  // The rate-limits page: "X-RateLimit-Reset: ... in seconds from the Unix epoch" (prose).
  it('catches X-RateLimit-Reset sent in milliseconds as an error on a target that is not the simulator', async () => {
    const { r } = await drift((x) => {
      const reset = x.headers['x-ratelimit-reset'];
      return reset ? { headers: { 'x-ratelimit-reset': String(Number(reset) * 1000) } } : undefined;
    });
    const f = findings(r).filter((x) => x.pointer === '/headers/x-ratelimit-reset' && x.ruleId === 'rate-limit-reset-in-milliseconds');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.basis === 'prose' && x.severity === 'error')).toBe(true);
  });
});

describe('a run whose target exits mid-run', () => {
  it('stops the run there, says so on the verdict line, and names the remains once', async () => {
    let creates = 0;
    const proxy = await startMutatingProxy(sim.url, (x) => (/users\.create$/.test(x.path) && ++creates === 45 ? { die: true } : undefined));
    const dir = mkdtempSync(join(tmpdir(), 'dg-infra-run-'));
    const env = { ...process.env };
    delete env['DEVREV_API_URL'];
    delete env['DEVREV_TOKEN'];
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [BIN, 'run', '--skip', 'load,contracts', '--target', proxy.url, '--token', TOKEN, '--seed', '7', '--out', join(dir, 'out')],
        { cwd: dir, env },
        (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
      );
    });
    await proxy.close();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^verdict: FAIL \(the target stopped answering during properties\) in /m);
    expect(run.stderr).toMatch(/properties: the target stopped answering; no other pillar runs/);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('remains (cleanup failed')).length).toBeLessThanOrEqual(1);
    const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as RunResults;
    expect(results.records.created).toBe(results.records.removed + results.records.remaining);
    const down = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings)).filter((f) => f.ruleId === TARGET_DOWN_RULE);
    expect(down).toHaveLength(1);
  });
});
