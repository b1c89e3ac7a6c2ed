import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runConsumer } from '../contracts/pact/consumer.ts';
import { INTERACTIONS } from '../contracts/pact/interactions.ts';

/**
 * `npm run stress:pact [-- RUNS]`: how often the consumer suite hits the native mock
 * server's race (pact-reference #535, "expected but not received" although the client got
 * its answer) while every core is kept busy by a spinning process. Each run goes through
 * every interaction once with the one retry on; a run counts as failed "without the retry"
 * when any first attempt flaked, and "with the retry" when an interaction still failed, so
 * both rates come from the same runs. STRESS_SPINNERS sets the number of busy processes
 * (default: one per core).
 */
const RUNS = Number(process.argv[2] ?? process.env['STRESS_RUNS'] ?? 30);
const SPINNERS = Number(process.env['STRESS_SPINNERS'] ?? availableParallelism());

const log = (line: string) => process.stdout.write(`${line}\n`);
const versionOf = (pkg: string) => {
  const require = createRequire(import.meta.url);
  return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
};

if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write('stress:pact: RUNS must be a positive whole number\n');
  process.exit(2);
}

const spinners: ChildProcess[] = [];
const stopSpinners = () => {
  for (const s of spinners) if (s.exitCode === null && s.pid) process.kill(s.pid);
};
process.on('SIGINT', () => {
  stopSpinners();
  process.exit(130);
});

const pactVersion = versionOf('@pact-foundation/pact');
const coreVersion = versionOf('@pact-foundation/pact-core');
log(
  `stress:pact: ${RUNS} runs of ${INTERACTIONS.length} consumer interactions; @pact-foundation/pact ${pactVersion}, pact-core ${coreVersion}, Node ${process.versions.node}`,
);
log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, load average before ${loadavg()[0]!.toFixed(2)} (other processes included)`);
for (let i = 0; i < SPINNERS; i++) {
  spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}
log(`keeping the cores busy with ${SPINNERS} spinning processes`);

let flakedRuns = 0;
let failedRuns = 0;
let flakes = 0;
const otherFailures: string[] = [];
const started = Date.now();
try {
  for (let run = 1; run <= RUNS; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'dg-stress-pact-'));
    let flakedHere = 0;
    try {
      const { results } = await runConsumer(dir, INTERACTIONS, { onFlake: () => flakedHere++ });
      const failed = results.filter((r) => !r.ok);
      for (const f of failed) otherFailures.push(`run ${run}: ${f.description}: ${f.error ?? ''}`.slice(0, 200));
      flakes += flakedHere;
      if (flakedHere > 0 || failed.length > 0) flakedRuns++;
      if (failed.length > 0) failedRuns++;
      log(`run ${run}/${RUNS}: ${flakedHere} flaked first attempt(s), ${failed.length} failure(s) after the retry`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  stopSpinners();
}
const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)} %`;
log(`load average at the end ${loadavg()[0]!.toFixed(2)}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
log(`without the retry: ${flakedRuns}/${RUNS} suite runs failed (${pct(flakedRuns, RUNS)}); ${flakes} of ${RUNS * INTERACTIONS.length} interactions flaked (${pct(flakes, RUNS * INTERACTIONS.length)})`);
log(`with the retry:    ${failedRuns}/${RUNS} suite runs failed (${pct(failedRuns, RUNS)})`);
for (const f of otherFailures.slice(0, 5)) log(`  ${f}`);
