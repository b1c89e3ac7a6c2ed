import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunContext } from '../../core/run-context.ts';
import { toCapacity } from '../../load/capacity.ts';
import { estimate } from '../../load/estimate.ts';
import { runLoadRecovery } from '../../load/index.ts';
import { validateLoadOptions } from '../../load/options.ts';
import { probeResult } from '../../load/probe.ts';
import { startSimulator } from '../../simulator/index.ts';
import { fixedWindow, prober, stream, tokenBucket } from '../support/synthetic-limiters.ts';

// What the saved figures and the fixed-window checks claim, and no more.

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers) await c();
});
const ctxFor = (url: string) =>
  createRunContext({ target: { url, kind: 'loopback' }, token: `tok-honest-${Math.random().toString(36).slice(2)}`, outDir: mkdtempSync(join(tmpdir(), 'dg-honest-')), quiet: true });

describe('the saved uncertainty', () => {
  it("widens a window's and a bucket's figures by the spread of round trips", () => {
    // Probed as load capacity probes once throttled: at one constant rate a window and a lockout refuse alike.
    for (const obs of [stream(fixedWindow(20, 2000), { stepMs: prober(200) }), stream(tokenBucket(5, 2.5))]) {
      const e = estimate(obs);
      const tight = toCapacity({ ...e, rttSpreadMs: 0 }, null, obs.length, 8).uncertainty!;
      const spread = toCapacity({ ...e, rttSpreadMs: 200 }, null, obs.length, 8).uncertainty!;
      const key = e.algorithm === 'fixed_window' ? 'window_s' : 'rate_per_s';
      expect(spread[key]!, `${e.algorithm} ${key}`).toBeGreaterThan(tight[key]!);
      if (e.algorithm === 'token_bucket') expect(spread['burst']!).toBeGreaterThan(tight['burst']!);
    }
  });
});

describe('the fixed-window checks, only where they hold', () => {
  it('calls the Remaining check inconclusive when one window start was seen (the window length is unknown)', () => {
    // 1.5 s against a 3 s window: one quota spent, one window start, no second.
    const obs = stream(fixedWindow(10, 3000, 1_700_000_000_000 - 500), { durationMs: 1500 });
    const o = validateLoadOptions({ algorithm: 'fixed_window' });
    const p = probeResult(ctxFor('http://127.0.0.1:9'), o, obs, { startMs: obs[0]!.sentMs, endMs: obs.at(-1)!.recvMs });
    const mono = p.checks.find((c) => c.id === 'load.probe.remaining-monotonic');
    expect(mono).toMatchObject({ outcome: 'inconclusive', reason: expect.stringMatching(/window length is unknown/) });
  });
});

describe('recovery against a long advertised wait', () => {
  it('waits the wait out instead of giving up, and sees the recovery after it', async () => {
    const s = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 5, windowS: 6 }, windowOffsetS: (Date.now() / 1000) % 6 });
    closers.push(() => s.close());
    const p = await runLoadRecovery(ctxFor(s.url), { trials: 1, fairnessS: 1, algorithm: 'fixed_window' });
    const [trial] = p.data?.recovery ?? [];
    expect(trial?.advertisedS).toBeGreaterThan(3);
    expect(trial?.actualS).not.toBeNull();
    expect(p.checks.find((c) => c.id === 'load.recovery.after-wait')?.outcome).toBe('pass');
  }, 120_000);
});
