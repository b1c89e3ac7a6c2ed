import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../core/results.ts';

/**
 * `npm run bench:run`: times `devrev-gate run` against the embedded simulator, as `npm
 * start` runs it, and prints each phase's time from the saved results. The budget is 60 s
 * on this 2-core machine; CLI start-up (`--help`) is measured in the same run as the
 * baseline, so a slow machine shows up in both figures.
 */
const cli = (args: string[]) => {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['bin/devrev-gate.js', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ...r, seconds: (performance.now() - started) / 1000 };
};

const BUDGET_S = 60;
const startup = cli(['--help']).seconds;
const out = mkdtempSync(join(tmpdir(), 'bench-run-'));
const run = cli(['run', '--out', out, '--quiet']);
if (run.status !== 0) {
  process.stderr.write(`devrev-gate run exited ${run.status}\n${run.stderr}\n`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;

const rows = results.pillars.map((p, i) => [`${i + 1}. ${p.pillar}`, (p.durationMs / 1000).toFixed(2), String(p.requestsSent)]);
const width = Math.max(...rows.map((r) => r[0]!.length), 12);
process.stdout.write(`${'phase'.padEnd(width)}  seconds  requests\n`);
for (const [name, s, n] of rows) process.stdout.write(`${name!.padEnd(width)}  ${s!.padStart(7)}  ${n!.padStart(8)}\n`);
const phases = results.pillars.reduce((t, p) => t + p.durationMs, 0) / 1000;
process.stdout.write(`${'all phases'.padEnd(width)}  ${phases.toFixed(2).padStart(7)}\n`);
process.stdout.write(`\nwhole command: ${run.seconds.toFixed(2)} s (CLI start-up alone: ${startup.toFixed(2)} s)\n`);
process.stdout.write(`budget: ${BUDGET_S} s; used ${(run.seconds / BUDGET_S).toFixed(2)} of it; verdict ${results.verdict}\n`);
if (run.seconds > BUDGET_S) process.exitCode = 1;
