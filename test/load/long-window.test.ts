import { afterAll, describe, expect, it } from 'vitest';
import { capacityViaCli } from '../support/limiters/cli.ts';
import { fixedWindow, type RunningZoo, startZoo } from '../support/limiters/zoo.ts';

// A window longer than a probing run can spend through (DevRev's is five minutes): the
// prober spends the quota once, waits for the advertised reset instead of spending, and
// checks it with a handful of requests. An 8 s window starting now stands in for 300 s.

const zoos: RunningZoo[] = [];
afterAll(async () => {
  for (const z of zoos) await z.close();
});

describe('a long window', () => {
  it('is measured by spending once and waiting, within limit + 10 requests', async () => {
    const zoo = await startZoo({ limiter: () => fixedWindow(10, 8000, Date.now() % 8000) });
    zoos.push(zoo);
    const r = await capacityViaCli(zoo.url, { durationS: 15 });
    const c = r.capacity as unknown as {
      algorithm: string;
      limit: number;
      window_s: number | null;
      requests_sent: number;
      limit_at_least: boolean;
      long_window: { recoveredOnTime: boolean | null } | null;
    };
    expect(c, r.stderr).not.toBeNull();
    expect(r.stderr).toMatch(/waiting out the window: the 429 advertised \d+ s, until \d\d:\d\d:\d\d UTC/);
    expect(c.long_window?.recoveredOnTime).toBe(true);
    expect(c.algorithm).toBe('fixed_window');
    // The preflight and the two requests that check whether a 400 is counted spent 3 of it.
    expect(c.limit_at_least).toBe(true);
    // A lower bound reads as one on stdout as on stderr.
    expect(r.stdout).toMatch(/capacity: fixed window, at least \d+ /);
    expect(r.stderr).toMatch(/fixed window: at least \d+ /);
    expect(c.limit).toBeGreaterThanOrEqual(7);
    expect(c.limit).toBeLessThanOrEqual(10);
    expect(c.window_s).toBe(8);
    expect(c.requests_sent + 1).toBeLessThanOrEqual(10 + 10);
  }, 60_000);
});
