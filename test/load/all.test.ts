import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunContext } from '../../core/run-context.ts';
import { runLoad } from '../../load/all.ts';
import { PROBE_CHECKS } from '../../load/check-ids.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { startDriftProxy, type DriftProxy } from '../support/drift-proxy.ts';

// The load pillar as `run` drives it: capacity, recovery, then the overload probe, within one
// request budget. Loopback only, a few hundred requests.

let sim: RunningSimulator;
let proxy: DriftProxy;
beforeAll(async () => {
  sim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 5, windowS: 1 } });
  let n = 0;
  // Every fifth 429 becomes a 503: overload answered with a server error.
  proxy = await startDriftProxy(sim.url, (x) => (x.status === 429 && n++ % 5 === 0 ? { status: 503, body: { type: 'service_unavailable', message: 'busy' } } : undefined));
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

describe('the load pillar within a small request budget', () => {
  it('names the phases the budget left no room for as skipped, and still judges the overload capacity saw', async () => {
    const ctx = createRunContext({ target: { url: proxy.url, kind: 'loopback' }, token: 'tok-load-all', outDir: mkdtempSync(join(tmpdir(), 'dg-load-all-')), quiet: true, maxRequests: 120 });
    const p = await runLoad(ctx, { maxDurationS: 3 });
    expect(p.requestsSent).toBeLessThanOrEqual(120);
    const byId = new Map(p.checks.map((c) => [c.id, c]));
    // Capacity spends what it is given; whatever it left, the probe comes last and finds none.
    // It lists every check it holds as skipped, so the set of check ids does not change.
    for (const c of Object.values(PROBE_CHECKS)) expect(byId.get(c.id)).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/request budget/) });
    expect(byId.has('load.probe')).toBe(false);
    const overload = byId.get('load.capacity.overload');
    expect(overload?.findings.map((f) => f.ruleId)).toContain('overload-5xx');
  });
});
