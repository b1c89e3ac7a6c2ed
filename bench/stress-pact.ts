import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearPacts, MOCK_SERVER_RETRIES, runConsumerInteraction } from '../contracts/pact/consumer.ts';
import { interactions } from '../contracts/pact/interactions.ts';

/**
 * `npm run stress:pact [-- RUNS]`: how often the consumer suite hits the native mock
 * server's race (pact-reference #535, "expected but not received" although the client got
 * its answer) while every core is kept busy by a spinning process. Each run goes through
 * every interaction with the suite's retries on and notes how many attempts in a row each
 * interaction flaked; a run fails "with k retries" when some interaction flaked more than
 * k times in a row, so every rate comes from the same runs. STRESS_SPINNERS sets the
 * number of busy processes (default: one per core).
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

const INTERACTIONS = interactions();

log(
  `stress:pact: ${RUNS} runs of ${INTERACTIONS.length} consumer interactions; @pact-foundation/pact ${versionOf('@pact-foundation/pact')}, ` +
    `pact-core ${versionOf('@pact-foundation/pact-core')}, Node ${process.versions.node}`,
);
log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, load average before ${loadavg()[0]!.toFixed(2)} (other processes included)`);
for (let i = 0; i < SPINNERS; i++) spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
log(`keeping the cores busy with ${SPINNERS} spinning processes; up to ${MOCK_SERVER_RETRIES} retries per interaction`);

/** failedWith[k]: runs in which some interaction flaked more than k times in a row. */
const failedWith = Array.from({ length: MOCK_SERVER_RETRIES + 1 }, () => 0);
let flakes = 0;
let attempts = 0;
const otherFailures: string[] = [];
const started = Date.now();
try {
  for (let run = 1; run <= RUNS; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'dg-stress-pact-'));
    let worst = 0;
    try {
      clearPacts(dir);
      for (const i of INTERACTIONS) {
        let streak = 0;
        try {
          await runConsumerInteraction(i, dir, {
            onFlake: (attempt) => {
              streak = attempt;
            },
          });
        } catch (err) {
          if (streak <= MOCK_SERVER_RETRIES) otherFailures.push(`run ${run}: ${i.description}: ${(err as Error).message}`.slice(0, 200));
        }
        flakes += streak;
        attempts += Math.min(streak + 1, MOCK_SERVER_RETRIES + 1);
        worst = Math.max(worst, streak);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (let k = 0; k < failedWith.length; k++) if (worst > k) failedWith[k]!++;
    log(`run ${run}/${RUNS}: longest flake streak ${worst}`);
  }
} finally {
  stopSpinners();
}
const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)} %`;
log(`load average at the end ${loadavg()[0]!.toFixed(2)}; ${((Date.now() - started) / 1000).toFixed(0)} s; ${flakes} of ${attempts} mock-server attempts flaked (${pct(flakes, attempts)})`);
for (const [k, n] of failedWith.entries()) {
  log(`${k === 0 ? 'without a retry' : `with ${k} retr${k === 1 ? 'y' : 'ies'}`}: ${n}/${RUNS} suite runs failed (${pct(n, RUNS)})`);
}
if (otherFailures.length > 0) log(`${otherFailures.length} failures that were not the flake:`);
for (const f of otherFailures.slice(0, 5)) log(`  ${f}`);
