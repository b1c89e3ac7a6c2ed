import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runContracts } from '../contracts/pact/index.ts';
import { simulatorStates } from '../contracts/pact/states.ts';
import type { PillarResult } from '../core/results.ts';
import { createRunContext } from '../core/run-context.ts';
import { runDrift } from '../drift/engine.ts';
import { runProperties } from '../properties/index.ts';
import { startSimulator } from '../simulator/index.ts';
import { startMutatingProxy } from '../test/support/mutating-proxy.ts';
import { type Mutation, MUTATIONS } from '../test/support/mutations.ts';

/**
 * `npm run bench:mutations`: drift + contracts + properties against the embedded simulator
 * behind each of the project's own mutation proxies (test/support/mutations.ts). Prints,
 * per mutation, whether the gate failed and which checks failed, then how many harmless
 * mutations failed the gate (target 0) and how many breaking ones it missed (target 0).
 * The unmutated simulator behind the same proxy is the baseline of the same run: it must
 * pass, or every other figure means nothing. Loopback only; each pillar is bounded.
 * `BENCH_ONLY=substring` runs the mutations whose name contains it. The figures go to
 * stderr (`npm run bench:mutations 2>&1 >/dev/null` shows only them).
 */
// stderr: the Pact verifier's native core prints its own report on stdout.
const log = (line: string) => process.stderr.write(`${line}\n`);
const SEED = Number(process.env['BENCH_SEED'] ?? 7);
const only = process.env['BENCH_ONLY'];

const sim = await startSimulator({});
const out = mkdtempSync(join(tmpdir(), 'dg-bench-mutations-'));

interface Row {
  m: Mutation;
  failed: string[];
  seconds: number;
}

const gate = async (m: Mutation): Promise<Row> => {
  const t0 = performance.now();
  const proxy = await startMutatingProxy(sim.url, m.rewrite ?? (() => undefined), m.intercept?.());
  const ctx = createRunContext({ target: { url: proxy.url, kind: 'loopback' }, token: 'bench-mutations-token', outDir: join(out, String(Date.now())), quiet: true });
  const pillars: PillarResult[] = [];
  try {
    pillars.push(await runContracts(ctx, { pactDir: join(out, 'pacts'), states: simulatorStates(sim.url) }));
    if (!proxy.dead) pillars.push(await runDrift(ctx, { simulatorRoutes: true }));
    if (!proxy.dead) pillars.push(await runProperties(ctx, { seed: SEED, timeBudgetS: 20 }));
  } catch (err) {
    // A pillar that ends in a setup error (a dead target) fails the gate too.
    pillars.push({ pillar: 'drift', startedAt: new Date().toISOString(), durationMs: 0, requestsSent: 0, checks: [{ id: `error: ${(err as Error).message}`, pillar: 'drift', name: 'setup', endpoint: '*', outcome: 'fail', durationMs: 0, findings: [] }] });
  } finally {
    await proxy.close();
  }
  const failed = pillars.flatMap((p) => p.checks.filter((c) => c.outcome === 'fail').map((c) => c.id));
  return { m, failed, seconds: (performance.now() - t0) / 1000 };
};

try {
  const baseline = await gate({ name: 'baseline (no mutation)', kind: 'harmless', why: 'the simulator as it is' });
  log(`baseline (no mutation): ${baseline.failed.length ? `FAILED ${baseline.failed.join(', ')}` : 'passed'} in ${baseline.seconds.toFixed(1)} s`);
  const rows: Row[] = [];
  for (const m of MUTATIONS.filter((x) => !only || x.name.includes(only))) {
    const row = await gate(m);
    rows.push(row);
    const right = (row.failed.length > 0) === (m.kind === 'breaking');
    log(
      `${right ? 'ok  ' : 'MISS'} ${m.kind.padEnd(8)} ${m.name.padEnd(40)} gate ${row.failed.length ? 'failed' : 'passed'} (${row.seconds.toFixed(1)} s)${row.failed.length ? `: ${row.failed.slice(0, 4).join(', ')}${row.failed.length > 4 ? ', …' : ''}` : ''}`,
    );
  }
  const harmless = rows.filter((r) => r.m.kind === 'harmless');
  const breaking = rows.filter((r) => r.m.kind === 'breaking');
  const falseAlarms = harmless.filter((r) => r.failed.length > 0);
  const missed = breaking.filter((r) => r.failed.length === 0);
  log('');
  log(`harmless mutations that failed the gate: ${falseAlarms.length} of ${harmless.length} (target 0)${falseAlarms.length ? `: ${falseAlarms.map((r) => r.m.name).join('; ')}` : ''}`);
  log(`breaking mutations the gate missed:      ${missed.length} of ${breaking.length} (target 0)${missed.length ? `: ${missed.map((r) => r.m.name).join('; ')}` : ''}`);
} finally {
  await sim.close();
}
