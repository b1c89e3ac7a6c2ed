import { defineConfig } from 'vitest/config';

// Tests that measure a rate limiter read timing: on two cores shared with other test files
// they misjudge windows and refill rates. They run after everything else, one file at a time.
const TIMING = ['test/load/**/*.test.ts', 'test/simulator/rate-limit.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
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
        test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
