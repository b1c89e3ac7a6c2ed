import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient } from '../core/http.ts';
import { createRunContext } from '../core/run-context.ts';
import { runProperties } from '../properties/index.ts';
import { startSimulator } from '../simulator/index.ts';

/**
 * `npm run bench:properties`: the properties pillar against the embedded simulator with its
 * default sizes. Prints checked cases per second and the pillar's wall time (target: the
 * whole `devrev-gate properties` command under 20 s), and, as the baseline measured in the
 * same run, how fast a bare loop of valid creates goes through the same HTTP client: the
 * ratio says what generation, the oracle, judging and shrinking cost on top of the wire.
 * Loopback only; bounded by the pillar's own defaults.
 */
const log = (line: string) => process.stdout.write(`${line}\n`);
const TARGET_S = 20;
const SEED = Number(process.env['BENCH_SEED'] ?? 1);

const sim = await startSimulator({});
try {
  const ctx = createRunContext({ target: { url: sim.url, kind: 'simulator' }, token: 'bench-token', outDir: mkdtempSync(join(tmpdir(), 'dg-bench-')), quiet: true });

  // Baseline: the same number of plain valid creates, one at a time, through HttpClient.
  const client = new HttpClient(ctx);
  const baselineN = 1500;
  let t = performance.now();
  for (let i = 0; i < baselineN; i++)
    await client.send({ path: '/dev-users.create', body: { email: `bench.${ctx.runId}.${i}@example.com`, state: 'shadow' } });
  const baselineRate = baselineN / ((performance.now() - t) / 1000);

  t = performance.now();
  const r = await runProperties(ctx, { seed: SEED });
  const pillarS = (performance.now() - t) / 1000;
  const cases = Object.values((r.data as { casesPerProperty: Record<string, number> }).casesPerProperty).reduce((a, b) => a + b, 0);
  const failed = r.checks.filter((c) => c.outcome !== 'pass').map((c) => `${c.id}=${c.outcome}`);

  // The whole command, as a user runs it: process start, simulator start, pillar, results.
  const bin = fileURLToPath(new URL('../bin/devrev-gate.js', import.meta.url));
  t = performance.now();
  const cli = spawnSync(process.execPath, [bin, 'properties', '--quiet', '--seed', String(SEED), '--out', mkdtempSync(join(tmpdir(), 'dg-bench-cli-'))], { encoding: 'utf8' });
  const commandS = (performance.now() - t) / 1000;

  log(`properties pillar, seed ${SEED}: ${cases} cases (${r.requestsSent} requests) in ${pillarS.toFixed(2)} s`);
  log(`  checked cases per second:        ${(cases / pillarS).toFixed(0)}`);
  log(`  baseline, bare valid creates/s:  ${baselineRate.toFixed(0)} (same client, same simulator)`);
  log(`  ratio pillar requests/s : baseline: ${(r.requestsSent / pillarS / baselineRate).toFixed(2)}`);
  log(`  devrev-gate properties wall time: ${commandS.toFixed(2)} s (exit ${cli.status}; target under ${TARGET_S} s: ${commandS < TARGET_S ? 'met' : 'MISSED'})`);
  if (failed.length) log(`  not passing: ${failed.join(', ')}`);
} finally {
  await sim.close();
}
