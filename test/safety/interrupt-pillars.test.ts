import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED } from '../../core/interrupt.ts';
import type { RunResults } from '../../core/results.ts';
import { cliEnv, useCliProviders } from '../support/cli-providers.ts';
import { startMutatingProxy } from '../support/mutating-proxy.ts';

/**
 * Ctrl-C in the middle of each pillar, as a terminal (or `timeout -s INT`) sends it: to the
 * whole process group, the Pact verifier's process included. A proxy in front of the
 * simulator holds the answer to the Nth create and the test signals while it holds it, so
 * the interrupt lands inside the pillar with a request in flight. After it: no create
 * reaches the target, no check is a provider finding, SARIF holds no result, exit 130.
 */
const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');
const TOKEN = 'interrupt-pillars-token';
const providers = useCliProviders('dg-int-pillars-');

interface Interrupted {
  code: number | null;
  stderr: string;
  results: RunResults;
  sarif: { runs: Array<{ results: unknown[] }> };
  createsAfterSignal: number;
}

const isCreate = (path: string) => /users\.create$/.test(path);

/** Runs the CLI through a proxy; SIGINT goes to its process group while the `holdAt`th create is held. */
const interruptAt = async (args: string[], holdAt: number, upstream = providers.sim.url): Promise<Interrupted> => {
  let creates = 0;
  let signalled = false;
  // Set once the CLI says it got the signal: a create arriving after that was sent after it.
  let acknowledged = false;
  let createsAfterSignal = 0;
  let pid = 0;
  const proxy = await startMutatingProxy(
    upstream,
    async (x) => {
      if (!isCreate(x.path) || signalled || ++creates !== holdAt) return undefined;
      signalled = true;
      process.kill(-pid, 'SIGINT');
      return { delayMs: 1500 };
    },
    (r) => {
      if (acknowledged && isCreate(r.path)) createsAfterSignal++;
      return undefined;
    },
  );
  const out = join(providers.dir, `out-${args[0]}-${args[1] ?? ''}`);
  try {
    const env = cliEnv();
    const child = spawn(process.execPath, [BIN, ...args, '--target', proxy.url, '--token', TOKEN, '--out', out], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    pid = child.pid!;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      acknowledged ||= /SIGINT received/.test(stderr);
    });
    child.stdout!.resume();
    const code = await new Promise<number | null>((done, fail) => {
      const timer = setTimeout(() => {
        process.kill(-pid, 'SIGKILL');
        fail(new Error(`no exit in time; stderr:\n${stderr}`));
      }, 60_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        done(c);
      });
    });
    expect(signalled, `the ${holdAt}th create never came; stderr:\n${stderr}`).toBe(true);
    return {
      code,
      stderr,
      results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults,
      sarif: JSON.parse(readFileSync(join(out, 'results.sarif'), 'utf8')),
      createsAfterSignal,
    };
  } finally {
    await proxy.close();
  }
};

const expectCleanInterrupt = (r: Interrupted, pillar: string) => {
  expect(r.code, r.stderr).toBe(130);
  expect(r.results.interrupted).toBe(true);
  expect(r.results.verdict).not.toBe('pass');
  // The held request was in flight; nothing was sent after the signal.
  expect(r.createsAfterSignal).toBe(0);
  const checks = r.results.pillars.flatMap((p) => p.checks);
  expect(checks.filter((c) => c.outcome === 'fail').map((c) => `${c.id}: ${c.findings[0]?.message}`)).toEqual([]);
  expect(checks.flatMap((c) => c.findings).filter((f) => f.severity === 'error' && !f.ignored)).toEqual([]);
  const cut = checks.filter((c) => c.pillar === pillar && c.reason === INTERRUPTED);
  expect(cut.length, `no ${pillar} check says interrupted`).toBeGreaterThan(0);
  for (const c of cut) expect(c).toMatchObject({ outcome: 'skipped', findings: [] });
  expect(r.sarif.runs.flatMap((run) => run.results)).toEqual([]);
  expect(r.stderr).not.toMatch(/\n\s+at /);
};

describe('SIGINT inside a pillar', () => {
  it('contracts: the verifier stops; the interactions it had not had answered are skipped, none blames the provider', async () => {
    // Create 1 is the preflight's; the verifier's own come after it.
    const r = await interruptAt(['contracts', '--pact-dir', join(providers.dir, 'pacts')], 3);
    expectCleanInterrupt(r, 'contracts');
    const contracts = r.results.pillars.find((p) => p.pillar === 'contracts')!;
    expect(contracts.checks.filter((c) => c.reason === INTERRUPTED).length).toBeGreaterThanOrEqual(8);
  });

  it('drift: the case in flight and every case after it are skipped', async () => {
    const r = await interruptAt(['drift'], 5);
    expectCleanInterrupt(r, 'drift');
    const drift = r.results.pillars.find((p) => p.pillar === 'drift')!;
    // Every case is accounted for: answered before the signal, or skipped after it.
    expect(drift.checks.at(-1)!.reason).toBe(INTERRUPTED);
  });

  it('properties: the property running and those after it are skipped', async () => {
    const r = await interruptAt(['properties', '--seed', '3', '--runs', '5'], 20);
    expectCleanInterrupt(r, 'properties');
  });

  it('load probe: the probe cut off mid-stream judges nothing', async () => {
    const r = await interruptAt(['load', 'probe', '--duration', '3', '--concurrency', '4'], 30, providers.loadSim.url);
    expectCleanInterrupt(r, 'load');
  });
});
