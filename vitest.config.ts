import { defineConfig } from 'vitest/config';

// Tests that measure a rate limiter read timing: on two cores shared with other test files
// they misjudge windows and refill rates. They run after everything else, one file at a time,
// and a failed one is run again (up to twice): a limiter misread once under a CPU spike is
// noise, misread three times in a row is a bug. CI prints every test that needed a retry.
// The packed-package test runs a whole `run`, load pillar included, from an installed tarball.
const TIMING = ['test/load/**/*.test.ts', 'test/simulator/rate-limit.test.ts', 'test/dropin/package.test.ts'];

export default defineConfig({
  test: {
    // A guard against hangs, not a speed check: CLI tests spawn whole runs, which on two
    // shared cores took 40 s of a 60 s budget; a hung test still fails, after three minutes.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: more workers only fight over them.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: TIMING, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, retry: 2, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
