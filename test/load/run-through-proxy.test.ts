import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_SIMULATOR, startSimulator } from '../../simulator/index.ts';
import { startDriftProxy } from '../support/drift-proxy.ts';
import { errorLines, runCli, scratch } from '../errors/support.ts';

// `devrev-gate run --only load` against the drift proxy in front of the simulator, both
// served from this process, as a loopback target with a token: the preflight and the load
// prober go through the proxy and the run ends with a verdict, not a setup error. The CLI
// is started asynchronously (runCli); started with spawnSync it would block the process
// that serves the proxy, and the preflight would wait for nothing (test/cli/loopback-silent).
// The request budget (40) stops the pillar within its capacity phase: a few seconds of loopback
// traffic against the load pillar's own small window.
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

describe('run --only load through the drift proxy', () => {
  it('preflights and probes through the proxy and ends with a verdict', async () => {
    const sim = await startSimulator(LOAD_SIMULATOR);
    closers.push(() => sim.close());
    let forwarded = 0;
    const proxy = await startDriftProxy(sim.url, () => {
      forwarded++;
      return undefined;
    });
    closers.push(() => proxy.close());
    const out = scratch('load-proxy');
    const run = await runCli(['run', '--only', 'load', '--target', proxy.url, '--token', 'proxy-load-token', '--max-requests', '40', '--out', out, '--quiet']);
    expect(errorLines(run.stderr)).toEqual([]);
    expect([0, 1]).toContain(run.code);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const load = summary.pillars.find((p: { pillar: string }) => p.pillar === 'load');
    expect(load.checks.total).toBeGreaterThan(0);
    // The preflight and every probe request passed through the proxy, within the budget.
    expect(summary.requests.sent).toBe(forwarded);
    expect(load.requestsSent).toBeGreaterThan(0);
    expect(forwarded).toBeLessThanOrEqual(40);
  });
});
