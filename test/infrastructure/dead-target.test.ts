import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TARGET_DOWN_RULE } from '../../core/evidence.ts';
import type { RunResults } from '../../core/results.ts';
import { cliEnv, useCliProviders } from '../support/cli-providers.ts';
import { type Rewrite, startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * A target that stops answering mid-run, through the CLI as a user runs it: the project's
 * own proxy in front of the simulator either exits (connection refused from then on) or
 * resets every connection while its port stays open. The pillar stops sending, the checks
 * it could not finish are inconclusive naming the cause, nothing is shrunk against the dead
 * target, and the verdict is never PASS.
 */
const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
const providers = useCliProviders('dg-dead-');

interface Ran {
  code: number;
  stderr: string;
  results: RunResults;
  /** Requests the proxy received after it stopped answering. */
  afterDeath: number;
}

const through = async (stopsAt: number, how: 'die' | 'reset', args: string[], upstream = providers.sim.url): Promise<Ran> => {
  let deadAt: number | null = null;
  const proxy = await startMutatingProxy(upstream, (x): Rewrite | undefined => {
    if (x.n < stopsAt) return undefined;
    deadAt ??= x.n;
    return how === 'die' ? { die: true } : { reset: true };
  });
  const out = join(providers.dir, `out-${args[0]}-${how}`);
  const env = cliEnv();
  try {
    const r = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(process.execPath, [BIN, ...args, '--target', proxy.url, '--token', 'dead-target-token', '--out', out], { env }, (err, _stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code) : 0, stderr }),
      ),
    );
    return { ...r, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults, afterDeath: proxy.received - (deadAt ?? proxy.received) };
  } finally {
    await proxy.close();
  }
};

const expectNeverPass = (r: Ran, pillar: string) => {
  expect(r.code, r.stderr).toBe(1);
  expect(r.results.verdict).toBe('fail');
  expect(r.stderr).toMatch(new RegExp(`^verdict: FAIL \\(the target stopped answering during ${pillar}\\)`, 'm'));
  const checks = r.results.pillars.flatMap((p) => p.checks);
  // One finding names the cause; nothing else is blamed on the provider.
  expect(checks.filter((c) => c.outcome === 'fail').map((c) => c.id)).toEqual([`${pillar}.target`]);
  expect(checks.flatMap((c) => c.findings).map((f) => f.ruleId)).toEqual([TARGET_DOWN_RULE]);
  return checks;
};

describe('properties --property no-5xx against a target that stops answering', () => {
  for (const how of ['die', 'reset'] as const) {
    it(`(${how === 'die' ? 'the proxy exits' : 'every connection reset'}): not PASS, no counterexample, the rest inconclusive naming the cause`, async () => {
      const r = await through(6, how, ['properties', '--property', 'no-5xx', '--seed', '5']);
      const checks = expectNeverPass(r, 'properties');
      const props = r.results.pillars.find((p) => p.pillar === 'properties')!;
      expect((props.data as { counterexamples?: unknown[] }).counterexamples).toEqual([]);
      const no5xx = checks.find((c) => c.id === 'properties.no-5xx')!;
      expect(no5xx.outcome).toBe('inconclusive');
      expect(no5xx.reason).toMatch(/the target stopped answering/);
      // Classes drawn after the death were never sent: coverage cannot be claimed.
      expect(checks.find((c) => c.id === 'properties.class-coverage')!.outcome).not.toBe('pass');
      // The request that met it and one harmless probe; then nothing (cleanup aside, which stops at once).
      expect(r.afterDeath).toBeLessThanOrEqual(3);
    });
  }
});

describe('drift against a target that resets every connection', () => {
  it('stops at once: the cases after it are inconclusive, not sent; the verdict is FAIL', async () => {
    const r = await through(8, 'reset', ['drift']);
    const checks = expectNeverPass(r, 'drift');
    const notSent = checks.filter((c) => c.reason === 'not sent: the target stopped answering');
    expect(notSent.length).toBeGreaterThan(5);
    expect(checks.filter((c) => c.pillar === 'drift' && c.outcome === 'pass').length).toBeGreaterThan(0);
    expect(r.afterDeath).toBeLessThanOrEqual(3);
  });
});

describe('load probe against a target that dies under the overload', () => {
  it('is never PASS: one target finding, the undecided checks inconclusive, no connection error blamed on the limiter', async () => {
    const r = await through(60, 'die', ['load', 'probe', '--duration', '3', '--concurrency', '4'], providers.loadSim.url);
    const checks = expectNeverPass(r, 'load');
    expect(checks.filter((c) => c.outcome === 'inconclusive' && c.reason === 'not judged: the target stopped answering').length).toBeGreaterThan(0);
  });
});
