/**
 * `npm run bench:capacity`: how close the capacity estimate comes to the truth, over
 * simulator settings of both algorithms from small to large, including the cases
 * DECISIONS names (headers absent or lying, a limit below the prober's concurrency, a
 * fractional refill rate, a window not aligned to the clock). For each: the true value,
 * the estimate, the error, the probing time against the 15 s allowance, and as a baseline
 * what the X-Ratelimit-Limit header would have claimed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunContext } from '../core/run-context.ts';
import { probeCapacity } from '../load/capacity.ts';
import { validateLoadOptions } from '../load/options.ts';
import { type SimulatorOptions, startSimulator } from '../simulator/index.ts';

interface Setting {
  name: string;
  sim: SimulatorOptions;
}

const SETTINGS: Setting[] = [
  { name: 'fw 3/1s (limit < concurrency 16)', sim: { rateLimit: { algorithm: 'fixed_window', limit: 3, windowS: 1 } } },
  { name: 'fw 20/2s, window offset 0.7 s', sim: { rateLimit: { algorithm: 'fixed_window', limit: 20, windowS: 2 }, windowOffsetS: 0.7 } },
  { name: 'fw 150/3s, headers wrong', sim: { rateLimit: { algorithm: 'fixed_window', limit: 150, windowS: 3 }, rateLimitHeaders: 'wrong' } },
  { name: 'fw 1000/4s, offset 1.3 s', sim: { rateLimit: { algorithm: 'fixed_window', limit: 1000, windowS: 4 }, windowOffsetS: 1.3 } },
  { name: 'tb burst 5, 2.5/s', sim: { rateLimit: { algorithm: 'token_bucket', burst: 5, ratePerS: 2.5 } } },
  { name: 'tb burst 3, 0.7/s (< concurrency)', sim: { rateLimit: { algorithm: 'token_bucket', burst: 3, ratePerS: 0.7 } } },
  { name: 'tb burst 50, 20/s, headers absent', sim: { rateLimit: { algorithm: 'token_bucket', burst: 50, ratePerS: 20 }, rateLimitHeaders: 'absent' } },
  { name: 'tb burst 300, 120.5/s', sim: { rateLimit: { algorithm: 'token_bucket', burst: 300, ratePerS: 120.5 } } },
];

const out = mkdtempSync(join(tmpdir(), 'bench-capacity-'));
const options = validateLoadOptions({});
const rows: string[][] = [];
let allMet = true;
const pct = (est: number, truth: number) => `${(((est - truth) / truth) * 100).toFixed(2)}%`;

for (const [i, s] of SETTINGS.entries()) {
  const sim = await startSimulator(s.sim);
  const token = `bench-capacity-${i}`;
  const ctx = createRunContext({ target: { url: sim.url, kind: 'simulator' }, token, outDir: out, quiet: true });
  try {
    const { capacity: c } = await probeCapacity(ctx, options, ctx.budget.remaining, token);
    const rl = s.sim.rateLimit;
    if (!rl) continue;
    const trueAlg = rl.algorithm === 'fixed_window' ? 'fixed_window' : 'token_bucket';
    const algOk = c.algorithm === trueAlg;
    let truth: string;
    let est: string;
    let err: string;
    let ok: boolean;
    if (rl.algorithm === 'fixed_window') {
      truth = `${rl.limit} per ${rl.windowS} s`;
      est = `${c.limit ?? '?'} ± ${c.uncertainty?.['limit'] ?? '?'} per ${c.window_s ?? '?'} ± ${c.uncertainty?.['window_s'] ?? '?'} s`;
      const dl = c.limit === null ? Number.NaN : c.limit - rl.limit;
      const dw = c.window_s === null ? Number.NaN : c.window_s - rl.windowS;
      err = `limit ${dl >= 0 ? '+' : ''}${dl}, window ${dw >= 0 ? '+' : ''}${Number.isNaN(dw) ? '?' : dw.toFixed(3)} s`;
      ok = Math.abs(dl) <= options.concurrency && Math.abs(dw) <= 1;
    } else {
      truth = `burst ${rl.burst}, ${rl.ratePerS}/s`;
      est = `burst ${c.burst ?? '?'} ± ${c.uncertainty?.['burst'] ?? '?'}, ${c.rate_per_s ?? '?'} ± ${c.uncertainty?.['rate_per_s'] ?? '?'}/s`;
      const db = c.burst === null ? Number.NaN : c.burst - rl.burst;
      const rel = c.rate_per_s === null ? Number.NaN : (c.rate_per_s - rl.ratePerS) / rl.ratePerS;
      err = `burst ${db >= 0 ? '+' : ''}${db}, rate ${c.rate_per_s === null ? '?' : pct(c.rate_per_s, rl.ratePerS)}`;
      ok = Math.abs(db) <= options.concurrency && Math.abs(rel) <= 0.02;
    }
    ok = ok && algOk && c.duration_s <= 15;
    allMet &&= ok;
    const trueLimit = rl.algorithm === 'fixed_window' ? rl.limit : rl.burst;
    rows.push([
      s.name,
      trueAlg,
      `${c.algorithm ?? 'none'}${algOk ? '' : ' (WRONG)'}`,
      truth,
      est,
      err,
      `${c.duration_s.toFixed(1)} s (${((c.duration_s / 15) * 100).toFixed(0)}% of 15 s)`,
      String(c.requests_sent),
      c.advertised_limit === null ? 'absent' : `${c.advertised_limit} (${c.advertised_limit === trueLimit ? 'true' : 'false'})`,
      ok ? 'yes' : 'NO',
    ]);
    process.stderr.write(`bench:capacity ${i + 1}/${SETTINGS.length} ${s.name}: ${est} in ${c.duration_s.toFixed(1)} s\n`);
  } finally {
    await sim.close();
  }
}
rmSync(out, { recursive: true, force: true });

const header = ['setting', 'true algorithm', 'estimated', 'true value', 'estimate', 'error', 'probing', 'requests', 'header says (baseline)', 'targets met'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(
  `\ntargets: algorithm right, limit/burst within the prober's concurrency (${options.concurrency}), rate within 2%, window within 1 s, <= 15 s probing: ${allMet ? 'all met' : 'NOT all met'}`,
);
process.exitCode = allMet ? 0 : 1;
