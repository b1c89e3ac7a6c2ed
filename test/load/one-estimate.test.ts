import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeLongWindow } from '../../load/capacity.ts';
import type { Estimate } from '../../load/estimate.ts';
import type { Observation } from '../../load/observe.ts';
import { runCli, scratch } from '../errors/support.ts';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { fixedWindow, type RunningZoo, startZoo, type ZooLimiter } from '../support/limiters/zoo.ts';

// One load run, one story: probe and recovery judge by the capacity phase's estimate, the
// set of check ids is the same on every run, and the saved figures say only what happened.

interface LoadData {
  capacity?: { algorithm: string | null; duration_s: number };
  limiter_used?: Record<string, { algorithm: string | null; source: string }>;
  recovery?: Array<{ advertisedS: number; actualS: number | null }>;
}

const runLoad = async () => {
  const out = join(scratch('one-estimate'), 'out');
  const started = Date.now();
  const r = await runCli(['run', '--only', 'load', '--out', out, '--quiet']);
  const wallS = (Date.now() - started) / 1000;
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  const load = results.pillars.find((p: { pillar: string }) => p.pillar === 'load');
  return { ...r, wallS, ids: (load.checks as Array<{ id: string }>).map((c) => c.id).sort(), data: load.data as LoadData };
};

describe('run --only load on the embedded simulator', () => {
  it('gives the same check ids twice, and probe and recovery judge by the capacity estimate', async () => {
    const first = await runLoad();
    const second = await runLoad();
    expect([0, 1], first.stderr).toContain(first.code);
    expect(second.ids).toEqual(first.ids);
    for (const run of [first, second]) {
      const cap = run.data.capacity!;
      expect(cap, 'the capacity phase ran').toBeDefined();
      // Whatever capacity found (a window, or nothing), the later phases used exactly that.
      expect(run.data.limiter_used).toEqual({
        recovery: { algorithm: cap.algorithm, source: 'capacity' },
        probe: { algorithm: cap.algorithm, source: 'capacity' },
      });
      // Saved waits are waits that happened within the run.
      expect(cap.duration_s).toBeLessThanOrEqual(run.wallS);
      for (const t of run.data.recovery ?? []) expect(t.actualS ?? 0).toBeLessThanOrEqual(run.wallS);
    }
  });
});

const zoos: RunningZoo[] = [];
afterAll(async () => {
  for (const z of zoos) await z.close();
});

describe('a wait that was not waited is not saved as one', () => {
  it('a 30 s window with --duration 3: the run ends before the reset and says so, with the wait it really spent', async () => {
    const zoo = await startZoo({ limiter: () => fixedWindow(10, 30_000, Date.now() % 30_000) });
    zoos.push(zoo);
    const r = await capacityViaCli(zoo.url, { durationS: 3 });
    const c = r.capacity as unknown as { long_window: { waitedS: number } | null; reason: string; duration_s: number };
    expect(c, r.stderr).not.toBeNull();
    expect(c.long_window).not.toBeNull();
    expect(c.long_window!.waitedS).toBeLessThanOrEqual(c.duration_s);
    expect(c.long_window!.waitedS).toBeLessThanOrEqual(r.wallS);
    expect(c.reason).toMatch(/the run ended after [\d.]+ s of waiting, before the reset/);
  });

  it('judges only what was sent after the advertised reset, and saves the silence it kept', () => {
    const at = (sentMs: number, status: number): Observation => ({ sentMs, recvMs: sentMs + 5, status });
    const t0 = 1_700_000_000_000;
    const first429 = at(t0 + 100, 429);
    const resetMs = first429.recvMs + 5000;
    const obs = [at(t0, 201), first429, at(t0 + 150, 429), at(resetMs + 10, 429), at(resetMs + 60, 429)];
    const e = { algorithm: null, quotaBeforeFirst429: 1, reason: 'no model' } as unknown as Estimate;
    const long = judgeLongWindow(obs, { from: first429, untilMs: resetMs }, e, resetMs + 100);
    // From the last request before the silence (t0 + 150) to the first after the reset.
    expect(long.waitedS).toBeCloseTo((resetMs + 10 - (t0 + 150)) / 1000, 1);
    expect(long.recoveredOnTime).toBe(false);
    expect(e.reason).toMatch(/waited [\d.]+ s until the advertised reset \(5 s after the 429\); 2 of 2 request\(s\) sent after it still throttled/);
  });
});

/**
 * A lockout written for this test: `limit` requests, then everything is refused for
 * `lockMs` from the moment the limit was exceeded (Retry-After the time left, rounded up);
 * then a fresh quota. Refusals during the lockout do not extend it.
 */
const lockout = (limit: number, lockMs: number): ZooLimiter => {
  let used = 0;
  let lockedUntil = 0;
  return {
    admit(now) {
      if (now < lockedUntil) return { allowed: false, retryAfterS: Math.ceil((lockedUntil - now) / 1000) };
      if (lockedUntil !== 0) [used, lockedUntil] = [0, 0];
      if (used < limit) {
        used++;
        return { allowed: true };
      }
      lockedUntil = now + lockMs;
      return { allowed: false, retryAfterS: Math.ceil(lockMs / 1000) };
    },
  };
};

describe('a lockout waited out', () => {
  it('checks only after the advertised reset, and sees the quota back (never "still throttled" from checks sent before it)', async () => {
    const zoo = await startZoo({ limiter: () => lockout(10, 6000) });
    zoos.push(zoo);
    const r = await capacityViaCli(zoo.url, { durationS: 12 });
    const c = r.capacity as unknown as { long_window: { waitedS: number; recoveredOnTime: boolean | null } | null; reason: string; duration_s: number };
    expect(c, r.stderr).not.toBeNull();
    expect(c.long_window, c.reason).not.toBeNull();
    expect(c.long_window!.recoveredOnTime, c.reason).toBe(true);
    expect(c.reason).not.toMatch(/still throttled/);
    expect(c.long_window!.waitedS).toBeGreaterThan(4);
    expect(c.long_window!.waitedS).toBeLessThanOrEqual(c.duration_s);
  });
});
