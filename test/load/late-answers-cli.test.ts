import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../simulator/index.ts';
import { verdictOf } from '../support/limiters/catalogue.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { startExpressLimiter } from '../support/limiters/express.ts';

// `devrev-gate load capacity` as a user runs it, against express-rate-limit (a fixed window
// of 30 per 3 s, a library this project did not write) in front of the simulator, with an
// API that does 0-60 or 0-150 ms of varying work after the limiter's decision (issue 22,
// item 6). Refusals come back at once, successes late by a varying amount: before the
// decision times were inferred from both sides, this was `unknown`, "fixed_window ruled out".

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('a fixed window behind an API whose work after the decision varies, through the CLI', () => {
  for (const workMs of [60, 150]) {
    it(`express-rate-limit 30 per 3 s, 0-${workMs} ms of work: named a fixed window with its figures`, async () => {
      const sim = await startSimulator({});
      closers.push(() => sim.close());
      const limiter = await startExpressLimiter(sim.url, { limit: 30, windowMs: 3000, headers: 'legacy', devrevBody: true, workMs: { varyingUpTo: workMs, seed: workMs } });
      closers.push(() => limiter.close());
      const r = await capacityViaCli(limiter.url, { durationS: 15, othersFirst: 2 });
      expect(r.capacity, r.stderr).not.toBeNull();
      const why = JSON.stringify({ ...r.capacity, scores: undefined });
      expect(verdictOf(r.capacity!, { model: 'fixed_window', limit: 30, windowS: 3 }), why).toBe('right');
    }, 60_000);
  }
});
